"""SQLite persistence (the standard library's), with a cache of serialized objects in front.

One file (or ``:memory:``), WAL journal, short autocommit writes. Every call comes from the server's
event loop thread, which makes it the single writer: concurrent requests are serialized by the loop,
so none is lost and no lock is needed. Objects are stored as their wire JSON; a few columns next to
it (thread, run, status) serve the lookups and lists.

The cache keeps each object's model and its JSON bytes, so a GET is a dictionary lookup. Objects the
executor changes many times a second (a message while its text streams) are ``touch``ed: the cache
sees every change at once, SQLite only the final state.
"""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from ..models import Assistant, Message, Run, RunStep, Thread
from ..models.requests import ListQuery
from .errors import BadRequest

M = TypeVar("M", bound=BaseModel)

SCHEMA_VERSION = 1

_TABLES: dict[type[BaseModel], str] = {
    Assistant: "assistants",
    Thread: "threads",
    Message: "messages",
    Run: "runs",
    RunStep: "steps",
}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS assistants (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS threads (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, thread_id TEXT NOT NULL,
    run_id TEXT, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS messages_by_thread ON messages (thread_id, seq);
CREATE TABLE IF NOT EXISTS runs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, thread_id TEXT NOT NULL,
    status TEXT NOT NULL, deadline REAL, include_content INTEGER NOT NULL DEFAULT 0, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS runs_by_thread ON runs (thread_id, seq);
CREATE INDEX IF NOT EXISTS runs_by_status ON runs (status);
CREATE TABLE IF NOT EXISTS steps (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, run_id TEXT NOT NULL,
    thread_id TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS steps_by_run ON steps (run_id, seq);
CREATE TABLE IF NOT EXISTS files (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, body TEXT NOT NULL,
    content BLOB NOT NULL);
"""


class _Entry:
    __slots__ = ("model", "raw")

    def __init__(self, model: BaseModel, raw: bytes | None) -> None:
        self.model = model
        self.raw = raw


class Page:
    """One page of a list: each item's id and JSON bytes, and whether more follow."""

    __slots__ = ("has_more", "items")

    def __init__(self, items: list[tuple[str, bytes]], has_more: bool) -> None:
        self.items = items
        self.has_more = has_more


class Store:
    """The database and its cache. Use from one thread (the server's loop)."""

    def __init__(self, path: str | Path = ":memory:", *, cache_size: int = 20_000) -> None:
        path = str(path)
        if path != ":memory:":
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        # The loop thread is the only user; check_same_thread would only get in the way of tests
        # that open the store before the loop starts.
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA busy_timeout = 5000")
        if path != ":memory:":
            self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = NORMAL")
        self._db.executescript(_SCHEMA)
        self._cache: OrderedDict[str, _Entry] = OrderedDict()
        self._live: set[str] = set()
        self._cache_size = cache_size
        self._depth = 0
        self._written: list[str] = []  # ids written in the open transaction
        self.generation = self._next_generation()

    def close(self) -> None:
        self._db.close()

    # --- meta --------------------------------------------------------------------------------------

    def _next_generation(self) -> int:
        with self.transaction():
            row = self._db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
            generation = int(row[0]) + 1 if row else 1
            self._db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('generation', ?), ('schema', ?)",
                (str(generation), str(SCHEMA_VERSION)),
            )
        return generation

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes into one transaction (nesting joins the outer one).

        On a rollback the cache forgets every object written in it, so readers see SQLite's state
        again, not the half-made changes of the failed transaction.
        """
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        self._written = []
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            self._forget(self._written)
            raise
        else:
            self._db.execute("COMMIT")
        finally:
            self._depth = 0
            self._written = []

    # --- the cache ---------------------------------------------------------------------------------

    def _remember(self, object_id: str, entry: _Entry) -> None:
        if self._depth:
            self._written.append(object_id)
        cache = self._cache
        cache[object_id] = entry
        cache.move_to_end(object_id)
        excess = len(cache) - self._cache_size
        if excess > 0:  # evict the least recently used, never an object changed only in memory
            evict = []
            for old_id in cache:
                if old_id not in self._live:
                    evict.append(old_id)
                    if len(evict) == excess:
                        break
            for old_id in evict:
                del cache[old_id]

    def _forget(self, ids: Sequence[str]) -> None:
        for object_id in ids:
            self._cache.pop(object_id, None)
            self._live.discard(object_id)

    # --- objects -----------------------------------------------------------------------------------

    def insert(self, obj: BaseModel, **columns: Any) -> None:
        """Add a new object (``columns`` fill the table's lookup columns)."""
        table = _TABLES[type(obj)]
        body = obj.model_dump_json()
        names = ["id", "body", *columns]
        marks = ", ".join("?" for _ in names)
        self._db.execute(
            f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})",
            (obj.id, body, *columns.values()),  # type: ignore[attr-defined]
        )
        self._remember(obj.id, _Entry(obj, body.encode()))  # type: ignore[attr-defined]

    def save(self, obj: BaseModel, **columns: Any) -> None:
        """Write an object's current state (and any changed lookup columns)."""
        table = _TABLES[type(obj)]
        body = obj.model_dump_json()
        sets = ", ".join(f"{name} = ?" for name in ["body", *columns])
        self._db.execute(
            f"UPDATE {table} SET {sets} WHERE id = ?",
            (body, *columns.values(), obj.id),  # type: ignore[attr-defined]
        )
        self._live.discard(obj.id)  # type: ignore[attr-defined]
        self._remember(obj.id, _Entry(obj, body.encode()))  # type: ignore[attr-defined]

    def touch(self, obj: BaseModel) -> None:
        """The object changed in memory: readers see it now, SQLite at the next ``save``."""
        object_id: str = obj.id  # type: ignore[attr-defined]
        entry = self._cache.get(object_id)
        if entry is None or entry.model is not obj:
            self._remember(object_id, _Entry(obj, None))
        else:
            entry.raw = None
        self._live.add(object_id)

    def flush(self) -> None:
        """Write every object changed in memory only (``touch``) to SQLite."""
        for object_id in list(self._live):
            entry = self._cache.get(object_id)
            if entry is not None:
                self.save(entry.model)
        self._live.clear()

    def get(self, cls: type[M], object_id: str) -> M | None:
        entry = self._load(cls, object_id)
        return entry.model if entry is not None else None  # type: ignore[return-value]

    def get_raw(self, cls: type[M], object_id: str) -> tuple[M, bytes] | None:
        """The object and its JSON bytes (serialized once per change)."""
        entry = self._load(cls, object_id)
        if entry is None:
            return None
        if entry.raw is None:
            entry.raw = entry.model.model_dump_json().encode()
        return entry.model, entry.raw  # type: ignore[return-value]

    def _load(self, cls: type[BaseModel], object_id: str) -> _Entry | None:
        entry = self._cache.get(object_id)
        if entry is not None:
            return entry if type(entry.model) is cls else None
        row = self._db.execute(f"SELECT body FROM {_TABLES[cls]} WHERE id = ?", (object_id,)).fetchone()
        if row is None:
            return None
        entry = _Entry(cls.model_validate_json(row[0]), row[0].encode())
        self._remember(object_id, entry)
        return entry

    def delete(self, cls: type[BaseModel], object_id: str) -> bool:
        cursor = self._db.execute(f"DELETE FROM {_TABLES[cls]} WHERE id = ?", (object_id,))
        self._forget([object_id])
        return cursor.rowcount > 0

    def delete_thread(self, thread_id: str) -> bool:
        """Delete a thread with its messages, runs and steps."""
        with self.transaction():
            ids = [thread_id]
            for table in ("messages", "runs", "steps"):
                rows = self._db.execute(f"SELECT id FROM {table} WHERE thread_id = ?", (thread_id,))
                ids.extend(row[0] for row in rows)
                self._db.execute(f"DELETE FROM {table} WHERE thread_id = ?", (thread_id,))
            deleted = self._db.execute("DELETE FROM threads WHERE id = ?", (thread_id,)).rowcount > 0
        self._forget(ids)
        return deleted

    # --- queries -----------------------------------------------------------------------------------

    def all(self, cls: type[M], **where: str) -> list[M]:
        """Every object of a kind matching ``where``, oldest first (for the executor, not for lists)."""
        clause, params = _where(where)
        rows = self._db.execute(
            f"SELECT id, body FROM {_TABLES[cls]}{clause} ORDER BY seq", params
        ).fetchall()
        out: list[M] = []
        for object_id, body in rows:
            entry = self._cache.get(object_id)
            if entry is None:
                entry = _Entry(cls.model_validate_json(body), body.encode())
                self._remember(object_id, entry)
            out.append(entry.model)  # type: ignore[arg-type]
        return out

    def runs_in_status(self, statuses: Sequence[str]) -> list[tuple[Run, float | None, bool]]:
        """Runs whose status is one of ``statuses``, with their deadline and ``include[]`` flag."""
        marks = ", ".join("?" for _ in statuses)
        rows = self._db.execute(
            f"SELECT body, deadline, include_content FROM runs WHERE status IN ({marks}) ORDER BY seq",
            tuple(statuses),
        ).fetchall()
        return [(Run.model_validate_json(body), deadline, bool(flag)) for body, deadline, flag in rows]

    def run_include_content(self, run_id: str) -> bool:
        row = self._db.execute("SELECT include_content FROM runs WHERE id = ?", (run_id,)).fetchone()
        return bool(row and row[0])

    def page(self, cls: type[BaseModel], query: ListQuery, **where: str) -> Page:
        """One page of a list route: ``order``, ``limit``, and the ``after``/``before`` cursors."""
        table = _TABLES[cls]
        clause, params = _where(where)
        base = clause[len(" WHERE ") :]
        conditions: list[str] = [base] if base else []
        bounds: list[Any] = list(params)
        descending = query.order == "desc"
        for name, cursor in (("after", query.after), ("before", query.before)):
            if cursor is None:
                continue
            row = self._db.execute(
                f"SELECT seq FROM {table} WHERE id = ?{' AND ' + base if base else ''}",
                (cursor, *params),
            ).fetchone()
            if row is None:
                raise BadRequest(
                    f"Invalid '{name}': no object with id '{cursor}' in this list.",
                    param=name,
                    code="invalid_cursor",
                )
            later = (name == "after") != descending  # which side of the cursor, in seq terms
            conditions.append("seq > ?" if later else "seq < ?")
            bounds.append(row[0])
        # Paging backwards (only ``before``): read towards the cursor's far side, then flip.
        backwards = query.before is not None and query.after is None
        ascending = (not descending) != backwards
        sql = f"SELECT id, body FROM {table}"
        if conditions:
            sql += " WHERE " + " AND ".join(conditions)
        sql += f" ORDER BY seq {'ASC' if ascending else 'DESC'} LIMIT ?"
        rows = self._db.execute(sql, (*bounds, query.limit + 1)).fetchall()
        has_more = len(rows) > query.limit
        rows = rows[: query.limit]
        if backwards:
            rows.reverse()
        items: list[tuple[str, bytes]] = []
        for object_id, body in rows:
            entry = self._cache.get(object_id)
            if entry is not None:
                if entry.raw is None:
                    entry.raw = entry.model.model_dump_json().encode()
                items.append((object_id, entry.raw))
            else:
                items.append((object_id, body.encode()))
        return Page(items, has_more)

    # --- files (images a code interpreter made) ------------------------------------------------------

    def insert_file(self, file_id: str, body: str, content: bytes) -> None:
        self._db.execute("INSERT INTO files (id, body, content) VALUES (?, ?, ?)", (file_id, body, content))

    def get_file(self, file_id: str) -> tuple[str, bytes] | None:
        row = self._db.execute("SELECT body, content FROM files WHERE id = ?", (file_id,)).fetchone()
        return (row[0], bytes(row[1])) if row else None


def _where(where: dict[str, str]) -> tuple[str, tuple[str, ...]]:
    if not where:
        return "", ()
    return " WHERE " + " AND ".join(f"{name} = ?" for name in where), tuple(where.values())
