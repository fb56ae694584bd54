"""``%run_show``, ``%run_list`` and ``%run_cancel``."""

from __future__ import annotations

import pytest

from run_widgets.session import RunList, default_session

from .conftest import Shell
from .helpers import final_text

pytestmark = pytest.mark.timeout(60)


def test_show_makes_a_card_for_an_existing_run(shell: Shell) -> None:
    shell.ok("%%run_stream --wait -o first\nShow me again")
    run = shell.ns["first"].current_run
    shell.ok(f"%run_show {run.id} --thread {run.thread_id} --wait -o again")
    again = shell.ns["again"]
    assert again is not shell.ns["first"]
    assert again.current_run.id == run.id and again.current_run.status == "completed"
    assert "Show me again" in final_text(again)  # the steps and messages were loaded
    assert len(shell.card_displays()) == 2


def test_show_follows_a_run_that_is_still_going(shell: Shell) -> None:
    shell.ok("%%run_stream -o live\n/wait 30\nslow")
    run = shell.ns["live"].current_run
    shell.ok(f"%run_show {run.id} -o watcher")  # the current thread by default
    watcher = shell.ns["watcher"]
    with pytest.raises(TimeoutError):
        watcher.wait(timeout=0.5)
    shell.ok(f"%run_cancel {run.id}")
    watcher.wait(timeout=30)
    assert watcher.current_run.status == "cancelled"


def test_show_answers_a_waiting_run_with_python_tools(shell: Shell) -> None:
    shell.ok("def double(x: int) -> int:\n    return 2 * x")
    shell.ok('%%run_stream --tools double --wait -o first\ncall double {"x": 21}')
    run = shell.ns["first"].current_run
    assert run.status == "requires_action"
    shell.ok(f"%run_show {run.id} --tools double --auto-tools --wait -o answered")
    answered = shell.ns["answered"]
    assert answered.current_run.status == "completed"
    assert "42" in final_text(answered)


def test_list_shows_the_threads_runs_newest_first(shell: Shell) -> None:
    shell.ok("%%run_stream --wait -o a\nOne")
    shell.ok("%%run_stream --wait -o b\n/fail rate_limit_exceeded Slow down")
    runs = shell.ok("%run_list -o runs")
    assert isinstance(runs, RunList) and shell.ns["runs"] is runs
    assert [run.id for run in runs] == [shell.ns["b"].current_run.id, shell.ns["a"].current_run.id]
    assert runs.thread_id == default_session().thread_id()
    text = repr(runs)
    assert text.splitlines()[0] == f"2 runs on thread {runs.thread_id}"
    assert "failed" in text and "rate_limit_exceeded: Slow down" in text
    html = runs._repr_html_()
    assert "<table>" in html and "%run_show RUN_ID" in html and "<script" not in html
    assert len(shell.ok("%run_list --limit 1")) == 1


def test_list_escapes_what_the_server_says(shell: Shell) -> None:
    shell.ok("%%run_stream --wait\n/fail server_error <img src=x onerror=alert(1)>")
    html = shell.ok("%run_list")._repr_html_()
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_list_of_another_thread(shell: Shell) -> None:
    shell.ok("%%run_stream --wait -o a\nOne")
    shell.ok("%%run_stream --new-thread --wait\nTwo")
    thread = shell.ns["a"].current_run.thread_id
    runs = shell.ok(f"%run_list --thread {thread}")
    assert [run.id for run in runs] == [shell.ns["a"].current_run.id]


def test_cancel_the_last_run_by_default(shell: Shell, capsys: pytest.CaptureFixture[str]) -> None:
    shell.ok("%%run_stream -o card\n/wait\nforever")
    capsys.readouterr()
    shell.ok("%run_cancel --wait")
    card = shell.ns["card"]
    assert card.current_run.status == "cancelled"
    assert capsys.readouterr().out.strip() == f"{card.current_run.id} is cancelled."


def test_cancel_a_run_this_notebook_has_no_card_for(shell: Shell, capsys: pytest.CaptureFixture[str]) -> None:
    shell.ok("%%run_stream -o card\n/wait\nforever")
    card = shell.ns["card"]
    run = card.current_run
    card.close()  # no card follows it any more: the cancel goes straight to the server
    capsys.readouterr()
    shell.ok(f"%run_cancel {run.id}")
    assert capsys.readouterr().out.strip() in (f"{run.id} is cancelling.", f"{run.id} is cancelled.")
