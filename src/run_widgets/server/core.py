"""What the routes share: settings, the store, the executor, ids and the clock."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import Run, Thread
from .config import ServerConfig
from .errors import BadRequest, not_found
from .executor import Executor
from .idempotency import IdempotencyCache
from .ids import Clock, IdFactory
from .store import Store


@dataclass(eq=False)
class Core:
    config: ServerConfig
    store: Store
    executor: Executor
    ids: IdFactory
    clock: Clock
    idempotency: IdempotencyCache

    def thread(self, thread_id: str) -> Thread:
        thread = self.store.get(Thread, thread_id)
        if thread is None:
            raise not_found("thread", thread_id)
        return thread

    def run(self, thread_id: str, run_id: str) -> Run:
        """The run (the executor's live object while it runs), or 404."""
        run = self.executor.live_run(run_id) or self.store.get(Run, run_id)
        if run is None or run.thread_id != thread_id:
            raise not_found("run", run_id)
        return run

    def check_unlocked(self, thread_id: str, *, adding: str) -> None:
        """400 if the thread has a run that is not finished (messages and runs wait for it)."""
        active = self.executor.active_run(thread_id)
        if active is None:
            return
        if adding == "message":
            message = f"Can't add messages to {thread_id} while a run {active} is active."
        else:
            message = f"Thread {thread_id} already has an active run {active}."
        raise BadRequest(
            message + " Wait for it to finish, submit its tool outputs, or cancel it.", code="thread_locked"
        )
