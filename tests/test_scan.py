"""Walking the roots: listing, stats in arrays, shared stat work, and the fingerprint."""

from __future__ import annotations

import os
import random
import stat
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsq.ingest import scan as scanning
from newsq.ingest.scan import discover, scan
from newsq.model import Problem, Source


@pytest.fixture
def tree(write_corpus) -> Path:
    files = {f"doc{n:03d}.md": f"---\ntitle: {n}\n---\n" for n in range(40)}
    files |= {f"sub/inner{n}.txt": "---\ntitle: x\n---\n" for n in range(5)}
    files |= {"deeper/a/b.markdown": "---\ntitle: b\n---\n", "notes.json": "{}"}
    return write_corpus(files)


def snapshot_of(root: Path):
    return described(scan([str(root)]))


def described(found):
    return [
        (f.shown, f.absolute, f.names, f.ids(), list(f.times), list(f.identity))
        for f in found.folders
    ]


def test_folders_depth_first_names_sorted(tree):
    found = scan([str(tree)])
    assert [f.shown for f in found.folders] == [
        f"{tree}/",
        f"{tree}/deeper/",
        f"{tree}/deeper/a/",
        f"{tree}/sub/",
    ]
    assert sorted(found.folders[0].names) == [f"doc{n:03d}.md" for n in range(40)]
    assert found.folders[0].by_name().names == [f"doc{n:03d}.md" for n in range(40)]
    assert found.folders[2].ids() == ["deeper/a/b"]


def test_by_name_keeps_each_stat_with_its_file(tree):
    folder = scan([str(tree)]).folders[0]
    ordered = folder.by_name()
    for position, name in enumerate(ordered.names):
        at = folder.names.index(name)
        assert ordered.times[position * 2 : position * 2 + 2] == folder.times[at * 2 : at * 2 + 2]
        assert (
            ordered.identity[position * 3 : position * 3 + 3]
            == (folder.identity[at * 3 : at * 3 + 3])
        )


def test_stats_are_packed_per_file(tree):
    folder = scan([str(tree)]).folders[3].by_name()
    stat = os.stat(tree / "sub" / "inner2.txt")
    assert folder.names[2] == "inner2.txt"
    assert folder.times[4:6].tolist() == [stat.st_size, stat.st_mtime_ns]
    assert folder.identity[6:9].tolist() == [stat.st_ino, stat.st_dev, stat.st_mode]


def test_stat_shared_among_processes_equals_one_process(tree, monkeypatch):
    alone = snapshot_of(tree)
    shared = []
    start = scanning._StatWork.start

    def spy(work, children):
        shared.append(children)
        return start(work, children)

    monkeypatch.setattr(scanning._StatWork, "start", spy)
    monkeypatch.setattr(scanning, "PARALLEL_STAT_FROM", 1)
    monkeypatch.setattr(scanning, "STAT_PROCESSES", 3)
    monkeypatch.setattr(scanning, "STAT_PIECE", 4)  # 47 files: pieces for everyone
    assert snapshot_of(tree) == alone
    assert shared == [2]  # and this process works alongside

    pending = scanning.start([str(tree)])  # in the background: children take every share
    assert pending.running
    found = pending.result()
    assert not pending.running
    assert shared == [2, 3]
    assert described(found) == alone


def test_a_failed_stat_child_has_its_share_done_here(tree, monkeypatch):
    alone = snapshot_of(tree)

    def fail(work):
        os.read(work.queue, 4)  # a piece taken, never done:
        os._exit(1)  # a child that died without a word

    monkeypatch.setattr(scanning, "_child_stats", fail)
    monkeypatch.setattr(scanning, "PARALLEL_STAT_FROM", 1)
    monkeypatch.setattr(scanning, "STAT_PIECE", 4)
    assert snapshot_of(tree) == alone
    assert described(scanning.start([str(tree)]).result()) == alone


def test_a_cancelled_scan_leaves_no_child_behind(tree, monkeypatch):
    monkeypatch.setattr(scanning, "PARALLEL_STAT_FROM", 1)
    pending = scanning.start([str(tree)])
    assert pending.running
    pending.cancel()
    assert not pending.running
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no child of this process, finished or not


def test_work_is_cut_into_pieces_numbered_across_folders():
    folders = [scanning.Folder("", "", "", [b"%d" % n for n in range(k)]) for k in (5, 0, 7)]
    assert scanning._pieces(folders, 3) == [
        (0, 0, 3, 0),
        (0, 3, 5, 3),
        (2, 0, 3, 5),
        (2, 3, 6, 8),
        (2, 6, 7, 11),
    ]


def test_many_other_entries_still_find_the_subfolders(write_corpus):
    files = {f"img{n}.jpg": "x" for n in range(300)}
    files["inside/doc.md"] = "---\ntitle: t\n---\n"
    root = write_corpus(files)
    assert [f.shown for f in scan([str(root)]).folders] == [f"{root}/", f"{root}/inside/"]


def test_unreadable_entry_becomes_a_problem_and_the_rest_loads(write_corpus):
    root = write_corpus({"good.md": "---\ntitle: g\n---\n"})
    (root / "dangling.md").symlink_to(root / "missing.md")
    files, problems = discover([str(root)])
    assert [f.doc_id for f in files] == ["good"]
    assert [(p.path, p.severity, p.message) for p in problems] == [
        (f"{root}/dangling.md", "error", "cannot read: No such file or directory")
    ]


class TestFingerprint:
    def test_same_tree_same_fingerprint(self, tree):
        assert scan([str(tree)]).fingerprint() == scan([str(tree)]).fingerprint()

    @pytest.mark.parametrize(
        "change",
        [
            lambda root: (root / "doc001.md").write_text("---\ntitle: changed!\n---\n"),
            lambda root: os.utime(root / "doc002.md", ns=(1, 1)),
            lambda root: (root / "new.md").write_text("---\ntitle: n\n---\n"),
            lambda root: (root / "doc003.md").unlink(),
            lambda root: (root / "doc004.md").rename(root / "renamed.md"),
            lambda root: (root / "sub" / "extra.txt").write_text("x"),
        ],
        ids=["edit", "touch", "add", "delete", "rename", "add-in-subfolder"],
    )
    def test_any_change_changes_it(self, tree, change):
        before = scan([str(tree)]).fingerprint()
        change(tree)
        assert scan([str(tree)]).fingerprint() != before

    def test_root_spelling_is_part_of_it(self, tree):
        assert scan([str(tree)]).fingerprint() != scan([f"{tree}/"]).fingerprint()

    def test_files_that_are_not_documents_do_not_count(self, tree):
        before = scan([str(tree)]).fingerprint()
        (tree / "notes.json").write_text('{"more": 1}')
        assert scan([str(tree)]).fingerprint() == before


@pytest.mark.skipif(sys.platform != "linux", reason="file names are bytes on Linux only")
def test_file_name_that_is_not_utf8_is_skipped_with_an_error(write_corpus, tmp_path, monkeypatch):
    import newsq

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = write_corpus({"ok.md": "---\ntitle: fine\n---\n"})
    with open(os.path.join(os.fsencode(root), b"bad\xff.md"), "wb") as handle:
        handle.write(b"---\ntitle: bad name\n---\n")
    for _ in range(2):  # cold, then warm
        with newsq.load([root]) as index:
            assert [e.id for e in index] == ["ok"]
            first = index.problems[0]
            assert (first.path, first.severity, first.message) == (
                f"{root}/bad\\xff.md",
                "error",
                "file name is not valid UTF-8; skipped",
            )
            assert index.skipped == 1


# --- which names are documents, tested on the joined names ------------------------------------


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        ([], True),
        ([b"a.md", b"b.txt", b"c.markdown"], True),
        ([b"a.md", b"b.md.txt"], True),
        ([b"a.md", b".b.md"], False),
        ([b".a.md"], False),
        ([b"a.MD"], False),
        ([b"a.md", b"notes"], False),
        ([b"a.mdx"], False),
        ([b"a.md.bak"], False),
        ([b"x.markdow"], False),
        ([b"a.md", b"b.md", b"c.json"], False),
    ],
)
def test_only_documents(names, expected):
    assert scanning._only_documents(b"\0".join(names), len(names)) is expected


@given(
    st.lists(
        st.lists(st.sampled_from([b"a", b".", b"md", b"txt", b"markdown", b"MD", b"\xff"]))
        .map(b"".join)
        .filter(bool),
        max_size=6,
    )
)
def test_only_documents_is_the_rule_name_by_name(names):
    by_name = all(n.endswith(scanning._SUFFIXES) and not n.startswith(b".") for n in names)
    assert scanning._only_documents(b"\0".join(names), len(names)) is by_name


def test_a_file_given_by_its_absolute_path_keeps_one_string_for_both(write_corpus, monkeypatch):
    root = write_corpus({"a.md": "---\ntitle: A\n---\n", "sub/b.md": "---\ntitle: B\n---\n"})
    files, _ = discover([str(root)])
    assert [f.doc_id for f in files] == ["a", "sub/b"]
    assert all(f.key == f.path and f.key is f.path for f in files)  # one string, not two
    monkeypatch.chdir(root.parent)
    relative, _ = discover([root.name])
    assert [f.key for f in relative] == [f.key for f in files]
    assert [f.path for f in relative] == [
        os.path.join(root.name, "a.md"),
        os.path.join(root.name, "sub", "b.md"),
    ]


# --- the documents of a scan, made as they are iterated ---------------------------------------


def one_by_one(found: scanning.Scan) -> tuple[list[Source], list[Problem]]:
    """The rules of which files are documents, applied to every file in turn: what
    `Documents` must give, however it takes whole folders at once."""
    files: list[Source] = []
    problems = list(found.problems)
    seen: set[tuple[int, int]] = set()
    owner: dict[str, str] = {}
    for folder in map(scanning.Folder.by_name, found.folders):
        for position, name in enumerate(folder.names):
            path = folder.shown + name
            try:
                (folder.absolute + name).encode("utf-8")
            except UnicodeEncodeError:
                message = "file name is not valid UTF-8; skipped"
                problems.append(Problem(scanning._printable(path), None, None, "error", message))
                continue
            error = folder.error(position)
            if error is not None:
                message = f"cannot read: {error.strerror}"
                problems.append(Problem(path, None, None, "error", message))
                continue
            inode, device, mode = folder.identity[position * 3 : position * 3 + 3]
            if (device, inode) in seen:
                continue
            seen.add((device, inode))
            doc_id = folder.doc_id(name)
            if doc_id in owner:
                message = f"id {doc_id!r} is already taken by {owner[doc_id]}; skipped"
                problems.append(Problem(path, None, None, "warning", message))
                continue
            if not stat.S_ISREG(mode):
                problems.append(Problem(path, None, None, "error", "not a regular file"))
                continue
            owner[doc_id] = path
            files.append(folder.source(position))
    return files, problems


DOC_TEXT = "---\ntitle: t\n---\n"


@pytest.fixture
def awkward(tmp_path) -> list[str]:
    """Two roots with the same layout, one inside a third root, and in them every kind
    of file that is not a document: ids taken, files reached twice, unreadable ones."""
    first, second = tmp_path / "first", tmp_path / "second"
    for root in (first, second):
        for name in ("b.md", "a.md", "c.txt", "sub/z.md", "sub/y.md", "deep/er/x.md"):
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(DOC_TEXT)
    (first / "a.txt").write_text(DOC_TEXT)  # the id `a` again, in the same folder
    (first / "sub" / "Y.MD").write_text(DOC_TEXT)  # an id of its own (ids keep case)
    (first / "sub" / "y.MD").write_text(DOC_TEXT)  # the id `sub/y` again, another case
    (second / "only.md").write_text(DOC_TEXT)
    (first / "gone.md").symlink_to(tmp_path / "missing.md")  # cannot be stat'ed
    os.link(first / "b.md", first / "sub" / "hard.md")  # one file under two names
    (first / "deep" / "again.md").symlink_to(first / "c.txt")  # and through a link
    (first / "folder.md").mkdir()  # a folder named like a document: walked
    (first / "folder.md" / "in.md").write_text(DOC_TEXT)
    if hasattr(os, "mkfifo"):
        os.mkfifo(first / "sub" / "pipe.md")  # never opened
    if sys.platform == "linux":
        with open(os.path.join(os.fsencode(first), b"bad\xff.md"), "wb") as handle:
            handle.write(DOC_TEXT.encode())
    return [str(first), str(second), str(tmp_path), str(first / "b.md")]


def test_documents_are_the_files_found_one_by_one(awkward):
    found = scan(awkward)
    documents = scanning.Documents(found)
    expected, problems = one_by_one(found)
    assert list(documents) == expected
    assert documents.problems == problems
    assert len(documents) == len(expected)
    assert list(documents) == expected  # iterated again: the same
    assert scanning.sources(found) == (expected, problems)
    # Every kind of problem is there.
    messages = {p.message.split(" ")[0] for p in problems}
    assert {"id", "cannot"} <= messages
    assert "file name is not valid UTF-8; skipped" in {p.message for p in problems} or (
        sys.platform != "linux"
    )
    taken = [p for p in problems if scanning.is_id_taken(p)]
    assert f"{awkward[0]}/a.txt" in {p.path for p in taken}
    assert f"{awkward[1]}/a.md" in {p.path for p in taken}  # the first root has it
    keys = [s.key for s in expected]
    assert len(set(keys)) == len(keys)
    assert f"{awkward[0]}/sub/hard.md" not in keys  # the same file as b.md, met first


@pytest.mark.parametrize("listed", ["sorted", "reversed", "shuffled"])
def test_documents_follow_names_in_order_whatever_the_listing(write_corpus, listed):
    names = [f"n{n:04d}{'é' if n % 7 == 0 else ''}.md" for n in range(300)]
    root = write_corpus({name: DOC_TEXT for name in names} | {"a.txt": DOC_TEXT})
    found = scan([str(root)])
    folder = found.folders[0]
    order = list(range(len(folder.listed)))
    if listed == "sorted":
        order.sort(key=folder.names.__getitem__)
    elif listed == "reversed":
        order.sort(key=folder.names.__getitem__, reverse=True)
    else:
        random.Random(3).shuffle(order)
    folder.keep(order)
    documents = scanning.Documents(found)
    assert [s.doc_id for s in documents] == ["a", *(n[:-3] for n in names)]
    assert list(documents) == one_by_one(found)[0]


class CountedSource(Source):
    """A `Source` that counts how many of its kind are alive at once."""

    __slots__ = ()
    alive = 0
    most = 0

    def __new__(cls, *fields: object) -> CountedSource:
        made = super().__new__(cls, *fields)
        CountedSource.alive += 1
        CountedSource.most = max(CountedSource.most, CountedSource.alive)
        return made

    def __del__(self) -> None:
        CountedSource.alive -= 1


def test_documents_are_made_a_few_at_a_time(write_corpus, monkeypatch):
    root = write_corpus({f"{n:04d}.md": DOC_TEXT for n in range(3000)})
    monkeypatch.setattr(scanning, "Source", CountedSource)
    monkeypatch.setattr(CountedSource, "most", 0)
    documents = scanning.Documents(scan([str(root)]))
    assert CountedSource.alive == 0  # nothing made yet: only which files are documents
    count = sum(1 for _ in documents)
    assert count == len(documents) == 3000
    assert CountedSource.most <= 2
