"""Broken and hostile files, one per case, each beside a good document: the exact problems
newsq reports for it, whether it loads, and that its neighbour always does.

Each case is a file's bytes and what `newsq check` must say of it: (line, column,
severity, message) per problem, in order.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

import newsq
from newsq.ingest import fast_yaml as yaml_load
from newsq.ingest.fast_yaml import MAX_DEPTH
from newsq.model import ERROR, NOTICE, WARNING

GOOD = "---\ntitle: Good neighbour\npublishedDateTime: 2020-06-11T20:54:00Z\n---\n"
DATED = "publishedDateTime: 2020-06-11T20:54:00Z\n"


def bomb() -> bytes:
    lines = ["---", "a: &a [x, x, x, x, x, x, x, x, x]"]
    previous = "a"
    for level in range(8):
        lines.append(f"b{level}: &b{level} [" + ", ".join([f"*{previous}"] * 9) + "]")
        previous = f"b{level}"
    return ("\n".join([*lines, "---"]) + "\n").encode()


ERRORS = {
    "no opening fence": (
        b"title: T\n---\n",
        [(1, 1, ERROR, "front matter has no opening '---' line")],
    ),
    "unclosed front matter": (
        b"---\ntitle: T\n",
        [(1, 1, ERROR, "front matter opened on line 1 is never closed")],
    ),
    "YAML syntax error": (
        b"---\ntitle: [T\n---\n",
        [(3, 1, ERROR, "YAML: while parsing a flow sequence: did not find expected ',' or ']'")],
    ),
    "front matter that is a list": (
        b"---\n- a\n- b\n---\n",
        [(2, 1, ERROR, "front matter is a list, not a mapping of field names to values")],
    ),
    "undecodable bytes": (
        b"---\ntitle: caf\xe9\n---\n",
        [(2, 11, ERROR, "not valid UTF-8: byte 0xe9 at offset 14")],
    ),
    "binary file": (b"---\x00\x01\x02", [(1, 1, ERROR, "binary file (contains NUL bytes)")]),
    "unsafe tag": (
        b'---\ntitle: !!python/object/apply:os.system ["touch PWNED"]\n---\n',
        [
            (
                2,
                8,
                ERROR,
                "YAML: could not determine a constructor for the tag "
                "'tag:yaml.org,2002:python/object/apply:os.system'",
            )
        ],
    ),
    "alias bomb": (
        bomb(),
        [(2, 1, ERROR, "front matter holds more than 200,000 values (YAML aliases expanded)")],
    ),
    "nested too deeply": (
        b"---\nx: " + b"[" * 5000 + b"]" * 5000 + b"\n---\n",
        [(2, 1, ERROR, "front matter is nested too deeply")],
    ),
    "too large": (
        b"---\ntitle: big\n---\n" + b"x" * (16 * 1024 * 1024 + 1),
        [(None, None, ERROR, "file is larger than the 16 MiB limit")],
    ),
}

WARNINGS = {
    "quality that is not a number": (
        b"---\ntitle: T\n" + DATED.encode() + b"quality: high\n---\n",
        [(4, 1, WARNING, "quality 'high' is not a number; numeric filters skip it")],
    ),
    "a date that is not a date": (
        b"---\ntitle: T\npublishedDateTime: soon\n---\n",
        [(3, 1, WARNING, "publishedDateTime 'soon' is not a date; date filters skip it")],
    ),
    "a date in a time zone newsq cannot place": (
        b"---\ntitle: T\npublishedDateTime: Thu, 11 Jun 2020 16:54:00 EDT\n---\n",
        [
            (
                3,
                1,
                WARNING,
                "publishedDateTime 'Thu, 11 Jun 2020 16:54:00 EDT': "
                "time zone 'EDT' is unknown; read as UTC",
            )
        ],
    ),
    "no title": (
        b"---\nexcerpt: E\n" + DATED.encode() + b"---\n",
        [(None, None, WARNING, "no title (nor name)")],
    ),
    "no date": (
        b"---\ntitle: T\n---\n",
        [(None, None, WARNING, "no publishedDateTime (nor date)")],
    ),
    "topics that is a string": (
        b"---\ntitle: T\n" + DATED.encode() + b"topics: AI\n---\n",
        [(4, 1, WARNING, "topics is a single string, not a list; read as one topic")],
    ),
    "duplicate key": (
        b"---\ntitle: T\n" + DATED.encode() + b"title: U\n---\n",
        [(4, 1, WARNING, "key 'title' appears more than once; the last value is kept")],
    ),
}

NOTICES = {
    "no front matter at all": (
        b"# A README\n\nNot a document.\n",
        [(None, None, NOTICE, "no front matter; not a document")],
    ),
}

ACCEPTED = {
    "CRLF line endings": b"---\r\ntitle: T\r\n" + DATED.replace("\n", "\r\n").encode() + b"---\r\n",
    "a UTF-8 BOM": b"\xef\xbb\xbf---\ntitle: T\n" + DATED.encode() + b"---\n",
    "a body with its own --- lines": b"---\ntitle: T\n" + DATED.encode() + b"---\na\n---\nb\n",
    "empty optional fields": b"---\ntitle: T\n" + DATED.encode() + b"excerpt:\ntopics: []\n---\n",
}


def check(write_corpus, content: bytes):
    """(problems, ids loaded, files skipped, the case's title if it loaded)."""
    root = write_corpus({"good.md": GOOD, "case.md": content})
    with newsq.load([root]) as index:
        problems = [(p.line, p.column, p.severity, p.message) for p in index.problems]
        title = index["case"].get("title") if "case" in index else None
        return problems, sorted(e.id for e in index), index.skipped, title


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_an_error_skips_the_file_and_nothing_else(write_corpus, case):
    content, expected = ERRORS[case]
    problems, loaded, skipped, _ = check(write_corpus, content)
    assert problems == expected
    assert loaded == ["good"]
    assert skipped == 1


@pytest.mark.parametrize("case", sorted(WARNINGS))
def test_a_warning_still_loads_the_document(write_corpus, case):
    content, expected = WARNINGS[case]
    problems, loaded, skipped, _ = check(write_corpus, content)
    assert problems == expected
    assert loaded == ["case", "good"]
    assert skipped == 0


@pytest.mark.parametrize("case", sorted(NOTICES))
def test_a_notice_is_not_a_document_and_not_skipped(write_corpus, case):
    content, expected = NOTICES[case]
    problems, loaded, skipped, _ = check(write_corpus, content)
    assert problems == expected
    assert loaded == ["good"]
    assert skipped == 0


@pytest.mark.parametrize("case", sorted(ACCEPTED))
def test_accepted_layouts_load_without_a_problem(write_corpus, case):
    problems, loaded, _, title = check(write_corpus, ACCEPTED[case])
    assert problems == []
    assert loaded == ["case", "good"]
    assert title == "T"


@pytest.mark.parametrize("loader", ["installed", "pure Python"])
@pytest.mark.parametrize(
    "front",
    [
        "x: " + "[" * 5000 + "]" * 5000,  # past libyaml's own limit
        "x: " + "[" * 600 + "]" * 600,  # past PyYAML's pure-Python recursion
        "x: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH,  # just past newsq's
        "x: &a " + "[" * 600 + "]" * 600,  # an anchor: PyYAML loads it, not the fast path
        "".join(" " * n + "a:\n" for n in range(1200)),  # block style
        "x: &a [*a]",  # inside itself
    ],
    ids=["libyaml", "recursion", "newsq", "anchored", "block", "recursive"],
)
def test_too_deep_is_one_answer_whichever_layer_notices(write_corpus, monkeypatch, loader, front):
    if loader == "pure Python":
        monkeypatch.setattr(yaml_load, "_HAVE_LIBYAML", False)
        monkeypatch.setattr(yaml_load, "_Loader", yaml.SafeLoader)
    problems, loaded, skipped, _ = check(write_corpus, f"---\n{front}\n---\n".encode())
    assert problems == [(2, 1, ERROR, "front matter is nested too deeply")]
    assert loaded == ["good"]
    assert skipped == 1


# Entries that are not plain readable files: made on disk, not written as bytes.


def _dangling_link(path: Path) -> None:
    path.symlink_to(path.parent / "nowhere.md")


def _fifo(path: Path) -> None:
    os.mkfifo(path)  # opening it to read would wait for a writer for ever


def _device(path: Path) -> None:
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero here")
    path.symlink_to("/dev/zero")  # reading it would never end


def _unreadable(path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads a chmod 000 file")
    path.write_bytes(GOOD.encode())
    path.chmod(0)


UNREADABLE = {
    "a link to nothing": (_dangling_link, "cannot read: No such file or directory"),
    "a named pipe": (_fifo, "not a regular file"),
    "a link to a device": (_device, "not a regular file"),
    "a file it may not read": (_unreadable, "cannot read: Permission denied"),
}


@pytest.mark.parametrize("case", sorted(UNREADABLE))
def test_what_cannot_be_read_is_an_error_and_the_rest_loads(write_corpus, case):
    make, message = UNREADABLE[case]
    root = write_corpus({"good.md": GOOD})
    make(root / "case.md")
    with newsq.load([root]) as index:
        problems = [(p.path, p.line, p.column, p.severity, p.message) for p in index.problems]
        assert problems == [(str(root / "case.md"), None, None, ERROR, message)]
        assert sorted(e.id for e in index) == ["good"]
        assert index.skipped == 1


def test_a_symlink_loop_ends_and_loads_each_document_once(write_corpus):
    root = write_corpus({"good.md": GOOD, "sub/other.md": GOOD})
    (root / "sub" / "back").symlink_to(root, target_is_directory=True)
    (root / "self.md").symlink_to(root / "self.md")  # a link to itself
    with newsq.load([root]) as index:
        assert sorted(e.id for e in index) == ["good", "sub/other"]
        assert [(p.path, p.message) for p in index.problems] == [
            (str(root / "self.md"), "cannot read: Too many levels of symbolic links")
        ]


def test_a_folder_named_like_a_document_is_walked(write_corpus):
    root = write_corpus({"good.md": GOOD, "notes.txt/inner.md": GOOD})
    with newsq.load([root]) as index:
        assert sorted(e.id for e in index) == ["good", "notes.txt/inner"]
        assert index.problems == []


def test_the_unsafe_tag_is_never_run(write_corpus, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    check(write_corpus, ERRORS["unsafe tag"][0])
    assert not (tmp_path / "PWNED").exists()


# --- on the command line -------------------------------------------------------------------


def test_other_commands_skip_with_one_line(cli, write_corpus):
    root = write_corpus({"good.md": GOOD, "bad.md": ERRORS["unclosed front matter"][0]})
    result = cli("list", "--data", root, "--json")
    assert result.exit_code == 0
    assert [r["id"] for r in json.loads(result.stdout)] == ["good"]
    assert result.stderr == "newsq: 1 file skipped; run newsq check for details\n"


@pytest.mark.parametrize(
    "command",
    [["list"], ["search", "good"], ["show", "good"], ["topics"], ["providers"], ["stats"]],
)
def test_strict_fails_on_an_error(cli, write_corpus, command):
    root = write_corpus({"good.md": GOOD, "bad.md": ERRORS["binary file"][0]})
    result = cli(*command, "--data", root, "--strict")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "newsq: 1 file cannot be loaded (--strict); run newsq check\n"


def test_strict_passes_warnings_and_notices(cli, write_corpus):
    root = write_corpus(
        {
            "good.md": GOOD,
            "warned.md": WARNINGS["no date"][0],
            "README.md": NOTICES["no front matter at all"][0],
        }
    )
    result = cli("list", "--data", root, "--strict", "--json")
    assert result.exit_code == 0
    assert [r["id"] for r in json.loads(result.stdout)] == ["good", "warned"]
    assert result.stderr == ""
