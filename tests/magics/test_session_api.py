"""The Python API behind the magics, used as scripts and marimo would: no IPython shell at all."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator

import pytest
from pydantic import BaseModel

import run_widgets
from run_widgets import AsyncClient, Client
from run_widgets.server import ServerHandle
from run_widgets.session import Session, SessionError, default_session
from run_widgets.tools import ToolSet

from .conftest import Wire
from .helpers import final_text

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def session(wire: Wire) -> Iterator[Session]:
    """A session of its own, on its own embedded server at full speed; its lines are collected."""
    lines: list[str] = []
    made = Session(words_per_second=0, notify=lines.append)
    made.lines = lines  # type: ignore[attr-defined]
    yield made
    made.close()


def double(x: int) -> int:
    """Twice x."""
    return 2 * x


def test_the_module_functions_use_the_default_session(wire: Wire, capsys: pytest.CaptureFixture[str]) -> None:
    run_widgets.configure(words_per_second=0)
    card = run_widgets.run_stream("From a script", wait=True)
    assert card.current_run.status == "completed" and "From a script" in final_text(card)
    assert "started the embedded server" in capsys.readouterr().out
    runs = run_widgets.run_list()
    assert [run.id for run in runs] == [card.current_run.id]
    shown = run_widgets.run_show(card.current_run.id, wait=True)
    assert final_text(shown) == final_text(card)
    with pytest.raises(SessionError, match="nothing to cancel"):
        run_widgets.run_cancel()
    assert default_session().last_card is shown


def test_a_session_of_its_own(session: Session) -> None:
    card = session.run_stream("Mine", wait=True)
    assert card.current_run.status == "completed"
    assert session.server is not None and session.server is not default_session().server
    assert len(session.lines) == 1 and session.server.base_url in session.lines[0]  # type: ignore[attr-defined]
    assert session.thread_id() == card.current_run.thread_id
    new = session.new_thread(metadata={"topic": "test"})
    assert session.thread_id() == new != card.current_run.thread_id


def test_run_create_on_a_thread_with_every_friendly_form(session: Session) -> None:
    class Answer(BaseModel):
        text: str

    card = session.run_create(
        message="Hi",
        tools=[double],
        tool_choice=double,
        truncation_strategy=3,
        response_format=Answer,
        metadata={"k": "v"},
        mode="poll",
        wait=True,
    )
    run = card.current_run
    assert run.tool_choice.function.name == "double"
    assert run.truncation_strategy.last_messages == 3
    assert run.response_format.json_schema.name == "Answer"
    assert run.metadata == {"k": "v"}


@pytest.mark.parametrize(
    "tools",
    [
        [double],
        double,
        run_widgets.tool(double),
        {"double": double},
        ToolSet.from_any([double]),
        [run_widgets.tool(double), "code_interpreter"],
    ],
    ids=["list", "function", "tool", "dict", "toolset", "mixed"],
)
def test_every_form_of_tools(session: Session, tools: object) -> None:
    card = session.run_stream('call double {"x": 4}', tools=tools, auto_tools=True, wait=True)
    assert card.current_run.status == "completed"
    assert "8" in final_text(card)


def test_refused_tools_raise_one_line(session: Session) -> None:
    with pytest.raises(SessionError, match=r"^tool name '<lambda>' is not allowed") as caught:
        session.run_stream("x", tools=[lambda: 1])
    assert "\n" not in str(caught.value)
    with pytest.raises(SessionError, match="'web_search' is not a tool"):
        session.run_stream("x", tools=["web_search"])


def test_unknown_options_and_settings(session: Session) -> None:
    with pytest.raises(SessionError, match="unknown run option 'temprature'"):
        session.run_stream("x", temprature=1)  # type: ignore[call-arg]
    with pytest.raises(SessionError, match="unknown setting 'bsae_url'"):
        session.configure(bsae_url="x")
    with pytest.raises(SessionError, match="Give either a response format or a JSON schema"):
        session.run_stream("x", response_format="json_object", json_schema={"type": "object"})


def test_another_server_by_settings(other_server: ServerHandle, wire: Wire) -> None:
    with Client(base_url=other_server.base_url, api_key=other_server.api_key) as client:
        assistant = client.assistants.create(model="scripted").id
    session = Session(base_url=other_server.base_url, api_key=other_server.api_key, assistant=assistant)
    try:
        card = session.run_stream("Elsewhere", wait=True)
        assert card.current_run.status == "completed" and session.server is None
        assert other_server.api_key not in repr(session) + repr(session.settings) + repr(session.connection())
    finally:
        session.close()


def test_a_client_of_your_own(other_server: ServerHandle, wire: Wire) -> None:
    """Custom headers or query parameters (Azure's api-version): bring a configured AsyncClient."""
    import httpx2

    seen: list[str] = []

    async def record(request: httpx2.Request) -> None:
        seen.append(request.url.params.get("api-version", ""))

    http = httpx2.AsyncClient(params={"api-version": "2025-05-01"}, event_hooks={"request": [record]})
    client = AsyncClient(base_url=other_server.base_url, api_key=other_server.api_key, http_client=http)
    with Client(base_url=other_server.base_url, api_key=other_server.api_key) as sync:
        assistant = sync.assistants.create(model="scripted").id
    session = Session(client=client, assistant=assistant)
    try:
        card = session.run_stream("With my client", wait=True)
        assert card.current_run.status == "completed"
        assert seen and set(seen) == {"2025-05-01"}
        assert session.client() is client
    finally:
        session.close()


def test_wait_with_a_timeout_returns_while_the_run_goes_on(session: Session) -> None:
    card = session.run_stream("/wait 30\nslow", wait=True, timeout=0.5)
    assert card.following
    assert session.run_cancel(wait=True) is not None
    assert card.current_run.status == "cancelled"


def test_ctrl_c_while_waiting_cancels_the_run(session: Session) -> None:
    """A real SIGINT, sent once the card follows the run (the run would wait forever)."""

    def interrupt_when_following() -> None:
        while True:
            card = session.last_card
            if card is not None and card.following:
                break
            threading.Event().wait(0.05)
        signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)

    sender = threading.Thread(target=interrupt_when_following, daemon=True)
    sender.start()
    with pytest.raises(KeyboardInterrupt):
        session.run_stream("/wait\nforever", wait=True)
    sender.join(5)
    card = session.last_card
    assert card is not None
    card.wait(timeout=30)
    assert card.current_run.status == "cancelled"


def test_an_unreachable_client_of_your_own(wire: Wire) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    session = Session(client=AsyncClient(base_url=url, api_key="k" * 20, max_retries=0), assistant="asst_1")
    try:
        with pytest.raises(SessionError) as caught:
            session.run_stream("hi")
        assert str(caught.value) == (
            f"Cannot reach {url}: is the server running? "
            "Check the client given to run_widgets.use_client(), or give None to stop using it."
        )
    finally:
        session.close()
