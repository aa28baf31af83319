"""A fuzz target for the document parser: any bytes parse to a document or to a problem.

`check` is the property. The normal test run replays every input of the corpus
(`tests/test_fuzz_corpus.py`) and the hypothesis tests use it too
(`tests/test_properties.py`). Running this file fuzzes it with atheris, a
coverage-guided fuzzer that keeps each input reaching new code in the corpus folder:

    pip install -e '.[fuzz]'
    python tests/fuzz_parser.py tests/fuzz-corpus/parser -max_total_time=600 -max_len=8192

A failing input is written to `crash-<hash>` in the current folder; once fixed, add
it to the corpus so the test run keeps it fixed. To shrink a grown corpus to the
inputs that matter (libFuzzer's merge), then replace the folder with the result:

    mkdir /tmp/merged
    python tests/fuzz_parser.py -merge=1 /tmp/merged tests/fuzz-corpus/parser
"""

from __future__ import annotations

import json
import os
import shlex
import sys

CORPUS = "tests/fuzz-corpus/parser"
PATH = "/corpus/fuzzed.md"


def check(data: bytes) -> None:
    """Parse `data` as a file; raise AssertionError if the result breaks a promise.

    A file is a document (a plain-JSON record, with at most warnings) or it is not
    (no record, exactly one error or notice); every problem names the file and a
    line within it; nothing raises.
    """
    from newsq.ingest.parse import parse_bytes
    from newsq.model import ERROR, NOTICE

    parsed = parse_bytes(data, PATH, "fuzzed")
    lines = data.count(b"\n") + 1
    for problem in parsed.problems:
        assert problem.path == PATH, problem
        assert problem.line is None or 1 <= problem.line <= lines, (problem, lines)
        assert problem.column is None or problem.column >= 1, problem
        assert problem.message and "Traceback" not in problem.message, problem
    if parsed.ok:
        assert parsed.entry is not None and parsed.record is not None
        assert parsed.record["id"] == "fuzzed"
        assert all(p.severity not in (ERROR, NOTICE) for p in parsed.problems), parsed.problems
        text = json.dumps(parsed.record, allow_nan=False)  # plain JSON, nothing else
        assert json.loads(text) == parsed.record
        for related in parsed.related:
            assert related.number >= 1 and related.entry.id == f"fuzzed#{related.number}"
    else:
        assert parsed.entry is None and parsed.words is None and parsed.related == []
        severities = [p.severity for p in parsed.problems]
        assert severities in ([ERROR], [NOTICE]), parsed.problems


def main() -> None:
    try:
        import atheris
    except ImportError:
        sys.exit("fuzz_parser: atheris is not installed; pip install -e '.[fuzz]'")
    import newsq.ingest.parse  # noqa: F401 - loaded before instrumenting, with everything it uses

    atheris.instrument_all()
    # libFuzzer runs its first argument through the shell for -merge and -fork: make it
    # this interpreter and this file, whatever the file's mode and the PATH.
    command = f"{shlex.quote(sys.executable)} {shlex.quote(os.path.abspath(__file__))}"
    atheris.Setup([command, *sys.argv[1:]], check)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
