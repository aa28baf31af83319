"""Bring a snapshot up to date: parse only what changed, on every core, streaming into it.

What changed is found by comparing the scan with what the snapshot recorded:
each folder's packed stats when files were only edited, else each file's
(size, mtime, id). Changed and new files are parsed by a pool of processes in chunks;
each chunk's rows are written as it arrives, so memory holds a few chunks, never
the whole corpus. Everything happens in one transaction: interrupted, the
snapshot is as it was.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import itertools
import json
import os
import sys
import threading
from array import array
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from newsq.ingest.features import features, prepare_features
from newsq.ingest.scan import Documents, Scan, without_gc
from newsq.ingest.shape import Shape, record_shape
from newsq.model import ERROR, Changes, Problem, Source
from newsq.signals import held_while_forking, in_child_process
from newsq.store.rows import (
    FEATURES_SEPARATOR,
    PLAIN,
    Codecs,
    FileRows,
    RecordCodec,
    TextCodec,
    doc_row,
    provider_keys,
    related_row,
)
from newsq.store.snapshot import FileNumbers, Snapshot
from newsq.store.stories import wording

if TYPE_CHECKING:
    from multiprocessing.pool import Pool

    from newsq.ingest.parse import Parsed

#: Below this many files to parse, starting processes costs more than it saves.
PARALLEL_FROM = 200
#: Files per task handed to a worker process.
CHUNK = 64
#: The first files whose records and story features teach a new snapshot's codecs their
#: dictionaries (each keeps the last 32 KB: of records, the last six or so; of story
#: features, 1.7 KB a document, the last twenty).
LEARN_FROM = 24
#: Chunks per worker that may be parsed ahead of the writer (each about 0.8 MB of rows).
IN_FLIGHT_PER_JOB = 4
#: A worker's cycle collector runs after this many more container objects made than freed
#: (Python's default: 700). Parsing makes and drops dozens of lists and dicts a document,
#: none of them in a cycle, and each collection also walks what the worker keeps (its
#: stems, its known lines): parsing 12,000 documents of the benchmark corpus took 6 %
#: less time at this threshold than at the default (median of 5 pairs run in turn;
#: 0.51-0.56 against 0.54-0.58 ms a document). A cycle a hostile file makes (YAML
#: aliases) is still collected, at the next collection.
WORKER_GC_THRESHOLD = 50_000
#: Stat values (2 a file) compared at once when looking for the files that changed.
_BLOCK = 2 * 512

#: progress(done, total) while parsing; called from the main process.
Progress = Callable[[int, int], None]


def update(
    snapshot: Snapshot,
    found: Scan,
    progress: Progress | None = None,
    *,
    touched: list[Source] | None = None,
) -> Changes:
    """Make the snapshot match what `found` (a scan of the corpus, just now) holds.

    `touched`, when given, are the only files that changed (see `touched_only`),
    which spares comparing every file with the snapshot. The scan's
    fingerprint is stored too, so the next run can see at once that nothing changed.
    """
    version = snapshot.data_version()
    with contextlib.ExitStack() as stack:
        pool = None
        if touched is None and _cpu_count() >= 2 and _builds_from_nothing(snapshot, found):
            # Forked now, while this process holds only the scan: the workers then share
            # nothing that this one makes afterwards.
            pool = stack.enter_context(worker_pool(_cpu_count()))
        diff: Diff | None
        if touched is not None:
            diff = (touched, [t.key for t in touched], 0)
            problems = snapshot.found_problems()
        else:
            documents = Documents(found)
            problems = documents.problems
            diff = _diff(snapshot, documents)
        with snapshot.writing() as conn:
            if snapshot.data_version() != version:
                # Another run wrote while this one waited for the lock: look again, in full.
                documents = Documents(found)
                problems = documents.problems
                diff = _diff(snapshot, documents)
            if diff is not None:
                stale, forget, _ = diff
                numbers = FileNumbers(conn, snapshot.remove(conn, forget))
                done = 0
                # Closed however this ends: its pool of workers goes with it, at once. (Left
                # to the collector, a pool outlived an interrupted update until exit, where
                # its thread forked new workers that hung the process.)
                codecs = snapshot.codecs()
                if codecs is None and stale:
                    codecs = learn_codecs(stale)
                    snapshot.keep_codecs(conn, codecs)
                with contextlib.closing(parse_sources(stale, codecs, pool=pool)) as batches:
                    for batch in batches:
                        snapshot.add(conn, batch, numbers)
                        done += len(batch)
                        if progress is not None:
                            progress(done, len(stale))
            snapshot.touch(conn, found, problems)
    return Changes() if diff is None else Changes(parsed=len(diff[0]), removed=diff[2])


def _builds_from_nothing(snapshot: Snapshot, found: Scan) -> bool:
    """Whether every file found is to be parsed, and they are enough for workers."""
    return found.file_count() >= PARALLEL_FROM and snapshot.is_empty()


def touched_only(snapshot: Snapshot, found: Scan) -> list[Source] | None:
    """The files whose size or mtime changed, if nothing else did; else None.

    No file added, removed or renamed, no inode changed, nothing unreadable: then
    the files the snapshot holds are still the files, and only the touched ones
    need parsing. This compares each folder's packed stats with the ones stored
    last time, not each file with its row, so a few edits in a large corpus
    cost little more than a warm run.
    """
    if found.problems:
        return None
    states = snapshot.folder_states()
    if len(states) != len(found.folders):
        return None
    touched = []
    for folder in found.folders:
        state = states.get(folder.absolute.encode("utf-8", "surrogateescape"))
        if state is None:
            return None
        names, identity, times = state
        listed = folder.packed
        if identity != folder.identity.tobytes() or names != listed:
            return None
        if times == folder.times.tobytes():
            continue
        before = array("q")
        before.frombytes(times)
        now = folder.times
        if now and min(now[0::2]) < 0:
            return None  # a file that cannot be stat'ed now: the full way reports it
        # Blocks of files compared at once (in C), then file by file in the few that differ.
        for start in range(0, len(now), _BLOCK):
            end = start + _BLOCK
            if before[start:end] == now[start:end]:
                continue
            for value in range(start, min(end, len(now)), 2):
                if before[value : value + 2] != now[value : value + 2]:  # (size, mtime)
                    touched.append(folder.source(value // 2))
    if not touched or not snapshot.holds([t.key for t in touched]):
        return None  # a skipped duplicate changed, say: the full way decides
    return touched


class Sources(Protocol):
    """Files to parse, counted and in order: a list, or a scan's `Documents` (made as
    they are iterated)."""

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[Source]: ...


#: The files to parse (new or changed, in order), the keys to forget first (changed or
#: gone) and how many are gone.
Diff = tuple[Sources, list[str], int]


def _diff(snapshot: Snapshot, documents: Documents) -> Diff | None:
    """None when the snapshot is fresh; else what to parse and forget (see `Diff`).

    A new snapshot parses every document: they are made as they are parsed, never
    all held at once. Otherwise each is compared with what the snapshot recorded of it.
    """
    if snapshot.is_empty():
        return (documents, [], 0) if len(documents) else None
    with without_gc():  # a tuple per file
        known = snapshot.stored_stats()
        stale, forget = [], []
        for source in documents:
            seen = known.pop(source.key, None)
            if seen != (source.size, source.mtime_ns, source.doc_id):
                stale.append(source)
                if seen is not None:
                    forget.append(source.key)
    if not stale and not known:
        return None  # only the spelling of a root differs, or nothing
    return stale, [*known, *forget], len(known)  # what is left in `known` is gone


# --- parsing ----------------------------------------------------------------------------------


def learn_codecs(sources: Iterable[Source]) -> Codecs:
    """How a new snapshot packs what it stores: dictionaries learnt from the records and
    story features of the first files (parsed here, and again with the rest: a few
    milliseconds)."""
    records, features = [], []
    for source in itertools.islice(sources, LEARN_FROM):
        rows = parse_rows(source, PLAIN)
        if rows.record is not None:
            records.append(PLAIN.records.text(rows.record))
        if rows.story is not None:
            features.append(PLAIN.features.text(rows.story[0]))
    return Codecs(RecordCodec.trained(records), TextCodec.trained(features))


def parse_sources(
    sources: Sources,
    codecs: Codecs | None = None,
    jobs: int | None = None,
    *,
    pool: Pool | None = None,
) -> Generator[list[FileRows], None, None]:
    """Parse the files, in their order, in batches; across processes when there are many
    (in `pool` when given: the caller's to end). What is stored is packed with `codecs`
    (plain ones when None)."""
    jobs = jobs or _cpu_count()
    codecs = codecs or PLAIN
    chunks = _chunks(sources, CHUNK)
    if pool is None and (jobs < 2 or len(sources) < PARALLEL_FROM):
        for chunk in chunks:
            yield parse_chunk(chunk, codecs)
        return
    with contextlib.ExitStack() as stack:
        if pool is None:
            pool = stack.enter_context(worker_pool(jobs))
        window = InFlight(IN_FLIGHT_PER_JOB * jobs)
        try:
            tasks = ((chunk, codecs) for chunk in window.feed(chunks))
            for batch in pool.imap(_parse_task, tasks):
                window.done()
                yield batch
        finally:
            window.stop()


def _chunks(sources: Iterable[Source], size: int) -> Iterator[list[Source]]:
    """The sources in lists of `size`, the last shorter, each made when it is asked for."""
    left = iter(sources)
    while chunk := list(itertools.islice(left, size)):
        yield chunk


@contextlib.contextmanager
def worker_pool(jobs: int) -> Iterator[Pool]:
    """`jobs` worker processes, ended (at once, also on Ctrl-C and errors) when the block
    ends: no worker outlives the run."""
    import multiprocessing

    # fork starts workers at once with newsq already imported; elsewhere, the platform's default.
    method = "fork" if sys.platform.startswith("linux") else None
    context = multiprocessing.get_context(method)
    with held_while_forking(), frozen_objects():
        pool = _pool_class()(
            jobs, initializer=_start_worker, initargs=(os.getpid(),), context=context
        )
    try:
        yield pool
    finally:
        pool.terminate()
        pool.join()


def _start_worker(parent: int) -> None:
    """Set up a worker process of `parent` (its pid): signals, and a collector for parsing."""
    in_child_process(parent)
    gc.set_threshold(WORKER_GC_THRESHOLD, *gc.get_threshold()[1:])


@functools.cache
def _pool_class() -> type[Pool]:
    """multiprocessing's pool, less a busy wait.

    Its thread that replaces workers that exit waits for a worker to exit, for the pool
    to change state, or for a result to be readable, though it does nothing with results:
    while a chunk's rows (400 KB) come through the pipe, that thread went round and round,
    taking the interpreter's lock from the threads reading and writing rows. It was a
    sixth of the main process's CPU time (0.8 s of 4.6 s building 20,000 documents).
    Workers here never exit on their own (no `maxtasksperchild`), and one that dies is
    still seen at once: its sentinel is waited for.
    """
    from multiprocessing.pool import Pool

    class QuietPool(Pool):
        def _get_sentinels(self) -> list[Any]:
            return [self._change_notifier._reader]  # type: ignore[attr-defined]

    return QuietPool


class InFlight:
    """At most `limit` chunks handed to the workers and not yet taken by the writer.

    The pool sends tasks as fast as its workers take them, and keeps every result
    until it is asked for: were the writer slower than the workers, parsed rows
    (12 KB a document) would pile up in memory without bound.
    """

    def __init__(self, limit: int) -> None:
        self._slots = threading.Semaphore(limit)
        self._stopped = threading.Event()

    def feed(self, chunks: Iterable[Sequence[Source]]) -> Iterator[Sequence[Source]]:
        """The chunks, each once a slot is free (read by the pool's task thread)."""
        for chunk in chunks:
            while not self._slots.acquire(timeout=0.1):
                if self._stopped.is_set():
                    return  # the pool is being shut down: hand it nothing more
            yield chunk

    def done(self) -> None:
        """One result was taken: one more chunk may go."""
        self._slots.release()

    def stop(self) -> None:
        self._stopped.set()


@contextlib.contextmanager
def frozen_objects() -> Iterator[None]:
    """Keep this process's objects out of its children's cycle collector while they are
    forked. A child's collector would otherwise walk every object inherited (a tuple
    and strings per file of the corpus) and, by touching each one's header, copy the
    pages they sit on: its memory would grow towards its parent's."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def parse_chunk(chunk: Sequence[Source], codecs: Codecs) -> list[FileRows]:
    from newsq.ingest.parse import read_ahead  # (see `_parse`)

    read_ahead([source.path for source in chunk])
    parsed = [_parse(source) for source in chunk]
    # The words of the whole chunk stemmed at once (see `Stemmer.prepare`).
    prepare_features((p.words, [r.words for r in p.related]) for p in parsed if p.words is not None)
    return [_rows(source, p, codecs) for source, p in zip(chunk, parsed, strict=True)]


def _parse_task(task: tuple[Sequence[Source], Codecs]) -> list[FileRows]:
    """A worker's task: a chunk, and the codecs to pack it with. (The codecs go with
    every chunk, 64 KB against some 800 KB of rows back: the workers may be forked
    before a new snapshot has learnt them.)"""
    return parse_chunk(*task)


def parse_rows(source: Source, codecs: Codecs) -> FileRows:
    """Parse one file into what the snapshot stores about it."""
    return _rows(source, _parse(source), codecs)


def _parse(source: Source) -> Parsed:
    # Imported here: a warm run parses nothing, and YAML is slow to import.
    from newsq.ingest.parse import Parsed, parse_file

    try:
        return parse_file(source.path, source.doc_id)
    except Exception as exc:  # a parser bug: this file is skipped, the run goes on
        message = f"newsq could not parse this file ({type(exc).__name__}: {exc}); please report it"
        return Parsed(source.path, problems=[Problem(source.path, None, None, ERROR, message)])


def _rows(source: Source, parsed: Parsed, codecs: Codecs) -> FileRows:
    """What the snapshot stores about a parsed file."""
    problems = [(p.line, p.column, p.severity, p.message) for p in parsed.problems]
    rows = FileRows(*source, None, None, (), (), None, problems)
    entry, record = parsed.entry, parsed.record
    if entry is None or record is None:
        return rows
    rows.doc, rows.topic_keys, rows.provider_keys = doc_row(entry, provider_keys(entry))
    rows.record = codecs.records.pack(record)
    rows.shape = _shape_text(record_shape(record))
    rows.words = parsed.words
    rows.related = [
        (*related_row(r.entry, r.number, provider_keys(r.entry)), r.words) for r in parsed.related
    ]
    if parsed.words is not None:
        own, links, cover = features(record, parsed.words, [r.words for r in parsed.related])
        packed = codecs.features.pack_text(FEATURES_SEPARATOR.join((own, links, cover)))
        rows.story = (packed, wording(own, cover))
    return rows


def _shape_text(shape: Shape) -> str:
    """A record's shape as the snapshot keeps it (JSON). The same few shapes come back
    (196 in 4,000 documents of the benchmark corpus): written once, found again in 0.002
    ms a document against 0.012 ms to write each."""
    text = _SHAPE_TEXTS.get(shape)
    if text is None:
        if len(_SHAPE_TEXTS) >= _SHAPE_TEXTS_KEPT:
            _SHAPE_TEXTS.clear()
        text = _SHAPE_TEXTS[shape] = json.dumps(shape, ensure_ascii=False, separators=(",", ":"))
    return text


_SHAPE_TEXTS: dict[Shape, str] = {}
_SHAPE_TEXTS_KEPT = 1024


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1
