"""Output streams: the indexing progress bar appears on a terminal only."""

from __future__ import annotations

import io

import pytest

from newsq.render import output
from newsq.render.output import Output


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_progress_on_a_pipe():
    err = io.StringIO()
    with Output(stdout=io.StringIO(), stderr=err).indexing_progress() as progress:
        assert progress is None
    assert err.getvalue() == ""


def test_progress_bar_on_a_terminal_once_indexing_takes_a_while(monkeypatch):
    monkeypatch.setattr(output, "PROGRESS_AFTER", 0.0)
    err = FakeTerminal()
    with Output(stdout=io.StringIO(), stderr=err).indexing_progress() as progress:
        assert progress is not None
        progress(10, 40)
        progress(40, 40)
    drawn = err.getvalue()
    assert "indexing" in drawn
    assert "40/40" in drawn


@pytest.mark.parametrize("calls", [[(5, 5)], [(1, 9), (9, 9)]])
def test_no_bar_for_quick_indexing(calls):
    err = FakeTerminal()
    with Output(stdout=io.StringIO(), stderr=err).indexing_progress() as progress:
        for done, total in calls:
            progress(done, total)
    assert err.getvalue() == ""
