"""``%%run_stream``: the cell's body is the user's message; the run streams into a live card."""

from __future__ import annotations

from typing import Any

import pytest

from run_widgets import Client
from run_widgets.session import default_session
from run_widgets.widget import RunCard

from .conftest import Shell, Wire
from .helpers import final_text

pytestmark = pytest.mark.timeout(60)


def server_client() -> Client:
    server = default_session().server
    assert server is not None, "the embedded server should be running"
    return Client(base_url=server.base_url, api_key=server.api_key)


def thread_texts(thread_id: str) -> list[tuple[str, str]]:
    with server_client() as client:
        return [(m.role, m.text) for m in client.threads.messages.list(thread_id, order="asc")]


def test_one_cell_no_options_streams_into_a_card_on_the_embedded_server(
    shell: Shell, wire: Wire, capsys: pytest.CaptureFixture[str]
) -> None:
    shell.ok("%%run_stream --wait -o card\nHello, who are you?")
    card = shell.ns["card"]
    assert isinstance(card, RunCard)
    run = card.current_run
    assert run is not None and run.status == "completed"
    assert "You said: “Hello, who are you?”" in final_text(card)
    out = capsys.readouterr().out
    server = default_session().server
    assert server is not None
    started = [line for line in out.splitlines() if "embedded server" in line]
    assert len(started) == 1 and server.base_url in started[0] and "RUN_WIDGETS_BASE_URL" in started[0]
    assert server.api_key not in out
    assert len(shell.card_displays()) == 1  # shown once, by the magic (it returns nothing)
    assert any(msg_type == "comm_open" for msg_type, _ in wire.sent)


def test_the_cell_returns_at_once_and_the_card_follows_in_the_background(shell: Shell) -> None:
    shell.ok("%%run_stream -o card\n/wait 30\nTake your time.")
    card = shell.ns["card"]
    with pytest.raises(TimeoutError):  # the cell returned while the run thinks for 30 s
        card.wait(timeout=0.5)
    shell.ok("%run_cancel --wait")
    assert card.current_run.status == "cancelled"
    assert card.following is False


def test_the_current_thread_is_made_once_and_reused(shell: Shell) -> None:
    shell.ok("%%run_stream --wait -o first\nOne")
    shell.ok("%%run_stream --wait -o second\nTwo")
    first, second = shell.ns["first"].current_run, shell.ns["second"].current_run
    assert first.thread_id == second.thread_id == default_session().thread_id()
    assert thread_texts(first.thread_id)[0] == ("user", "One")
    assert [role for role, _ in thread_texts(first.thread_id)] == ["user", "assistant", "user", "assistant"]


def test_new_thread_starts_another_and_makes_it_current(shell: Shell) -> None:
    shell.ok("%%run_stream --wait -o first\nOne")
    shell.ok("%%run_stream --new-thread --wait -o second\nTwo")
    first, second = shell.ns["first"].current_run, shell.ns["second"].current_run
    assert first.thread_id != second.thread_id
    assert default_session().thread_id() == second.thread_id
    assert thread_texts(second.thread_id)[0] == ("user", "Two")


def test_thread_adds_the_message_to_that_thread_without_changing_the_current_one(shell: Shell) -> None:
    shell.ok("%%run_stream --wait -o first\nOne")
    with server_client() as client:
        other = client.threads.create().id
    shell.ok(f"%%run_stream --thread {other} --wait -o there\nElsewhere")
    assert shell.ns["there"].current_run.thread_id == other
    assert thread_texts(other)[0] == ("user", "Elsewhere")
    assert default_session().thread_id() == shell.ns["first"].current_run.thread_id


def sent(shell: Shell, cell: str) -> str:
    """Run a ``%%run_stream`` cell to its end; the user message the server received."""
    shell.ok(cell)
    card = shell.ns["card"]
    assert card.current_run.status == "completed"
    texts = thread_texts(card.current_run.thread_id)
    return next(text for role, text in reversed(texts) if role == "user")


def test_variables_expand_in_the_line_as_in_every_magic(shell: Shell) -> None:
    shell.ok("name = 'card'\nn = 3")
    shell.ok("%%run_stream --wait -o {name} --metadata count=$n\nHello")
    assert shell.ns["card"].current_run.metadata == {"count": "3"}


@pytest.mark.parametrize(
    "message",
    [
        "It costs $5, or $7.50 with the book.",
        "Why is $x^2$ convex? And $$\\frac{x}{2}$$?",
        "Compare $HOME and $price, then {x} and {{x}}.",
        "echo $PATH | tr ':' '\\n'",
        'Parse {"a": 1, "b": [1, 2]}',
    ],
)
def test_the_message_is_sent_as_written(shell: Shell, message: str) -> None:
    """Currency, LaTeX, shell and JSON reach the server untouched, though x and price are defined
    (IPython itself never expands a cell magic's body)."""
    shell.ok("x = [1.5, 2.5, 3.5]\nprice = 12")
    assert sent(shell, f"%%run_stream --wait -o card\n{message}") == message


def test_format_fills_in_the_notebooks_variables(shell: Shell) -> None:
    shell.ok("city = 'Lyon'\nprice = 12.5\nrow = {'n': 3}")
    message = sent(
        shell,
        "%%run_stream --format --wait -o card\nIn {city}: {price:.2f} $ each, {row[n]} of them; {{x}} $HOME",
    )
    assert message == "In Lyon: 12.50 $ each, 3 of them; {x} $HOME"
    assert "In Lyon: 12.50 $ each" in final_text(shell.ns["card"])


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "Weather in {town}",
            "--format: there is no variable 'town' in the notebook: define it, "
            "or write {{town}} to send the braces as they are.",
        ),
        (
            "Weather in {}",
            "--format: {} needs a variable's name, as in {city}; "
            "write {{ and }} for braces that are part of the message.",
        ),
        (
            "A lone } brace",
            "--format: Single '}' encountered in format string in the message; "
            "write {{ and }} for braces that are part of the message.",
        ),
        (
            "In {city.zip}",
            "--format: AttributeError: 'str' object has no attribute 'zip'. Check the fields in braces; "
            "write {{ and }} for braces that are part of the message.",
        ),
    ],
)
def test_format_says_what_it_could_not_fill_in(
    shell: Shell, capsys: pytest.CaptureFixture[str], body: str, expected: str
) -> None:
    shell.ok("city = 'Lyon'")
    assert shell.usage_error(f"%%run_stream --format\n{body}", capsys) == expected
    assert default_session().last_card is None  # nothing was sent


def test_a_message_with_json_is_left_alone_when_it_cannot_be_expanded(shell: Shell) -> None:
    shell.ok("def get_weather(city: str) -> str:\n    return f'sunny in {city}'")
    shell.ok(
        '%%run_stream --tools get_weather --auto-tools --wait -o card\ncall get_weather {"city": "Oslo"}'
    )
    card = shell.ns["card"]
    assert card.current_run.status == "completed"
    assert "sunny in Oslo" in final_text(card)


def test_the_cell_message_comes_after_additional_messages(shell: Shell) -> None:
    shell.ok("%%run_stream --additional-messages 'Context first' --wait -o card\nThe question")
    thread_id = shell.ns["card"].current_run.thread_id
    assert thread_texts(thread_id)[:2] == [("user", "Context first"), ("user", "The question")]
    assert "The question" in final_text(shell.ns["card"])


def test_poll_mode_follows_by_polling(shell: Shell) -> None:
    shell.ok("%%run_stream --poll --wait -o card\nPolled")
    card = shell.ns["card"]
    assert card.current_run.status == "completed"
    assert "Polled" in final_text(card)


def test_the_saved_output_carries_the_final_html(shell: Shell) -> None:
    shell.ok("%%run_stream --wait -o card\nSave me")
    updates = [out for out in shell.displays.outputs if out["update"]]
    assert updates, "the display is refreshed when the run ends"
    html: Any = updates[-1]["data"]["text/html"]
    assert "completed" in html and "Save me" in html


def test_ctrl_c_while_a_cell_waits_cancels_the_run_with_one_line(
    shell: Shell, capsys: pytest.CaptureFixture[str]
) -> None:
    import signal
    import threading

    def interrupt_when_following() -> None:
        while True:
            card = default_session().last_card
            if card is not None and card.following:
                break
            threading.Event().wait(0.05)
        signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)

    sender = threading.Thread(target=interrupt_when_following, daemon=True)
    sender.start()
    message = shell.usage_error("%%run_stream --wait -o card\n/wait\nforever", capsys)
    sender.join(5)
    card = shell.ns["card"]  # bound before the cell started waiting
    assert (
        message
        == f"Interrupted: asked the server to cancel {card.current_run.id}; the card shows how it ends."
    )
    card.wait(timeout=30)
    assert card.current_run.status == "cancelled"
