"""The workbench served on 127.0.0.1 by a thread of the test, and a client for its JSON API."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from bot import ids
from bot.workbench.bench import PEOPLE, Workbench
from bot.workbench.server import make_server, serve_in_background

Json = dict[str, Any]

OFFICER, SUPERVISOR, SECOND_SUPERVISOR, STRANGER = (p.id for p in PEOPLE)


@dataclass
class Answer:
    status: int
    body: Json
    headers: dict[str, str]


@dataclass
class WorkbenchClient:
    bench: Workbench
    url: str

    def get(self, path: str, host: str | None = None) -> Answer:
        request = urllib.request.Request(self.url + path)
        if host:
            request.add_header("Host", host)
        return self._send(request)

    def post(self, path: str, body: Json, content_type: str = "application/json") -> Answer:
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": content_type},
            method="POST",
        )
        return self._send(request)

    def do(self, action: str, who: str, **body: Any) -> Json:
        """One thing `who` does; what they see afterwards (the call must succeed)."""
        answer = self.post(f"/api/{action}", {"as": who, **body})
        assert answer.status == 200, answer.body
        return answer.body

    def state(self, who: str) -> Json:
        answer = self.get(f"/api/state?as={who}")
        assert answer.status == 200, answer.body
        return answer.body

    def _send(self, request: urllib.request.Request) -> Answer:
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                raw, status, headers = response.read(), response.status, dict(response.headers)
        except urllib.error.HTTPError as error:
            raw, status, headers = error.read(), error.code, dict(error.headers)
        text = raw.decode()
        body = (
            json.loads(text)
            if headers.get("Content-Type", "").startswith("application/json")
            else {"text": text}
        )
        return Answer(status, body, headers)


@contextmanager
def running_workbench(database_url: str) -> Iterator[WorkbenchClient]:
    with Workbench(database_url) as bench:
        server = make_server(bench, "127.0.0.1", 0)
        thread = serve_in_background(server)
        try:
            yield WorkbenchClient(bench, f"http://127.0.0.1:{server.server_address[1]}")
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)


# -- reading what a person sees ---------------------------------------------------------------


def blocks_of(message: Json) -> list[Json]:
    return list(message.get("blocks") or [])


def has_block(message: Json, block_id: str) -> bool:
    return any(b.get("block_id") == block_id for b in blocks_of(message))


def thread_of(state: Json, ts: str | None = None) -> Json:
    """The thread whose parent is `ts` (the newest when None)."""
    parents = [m for m in state["messages"] if not m.get("ephemeral")]
    if ts is None:
        return parents[-1]
    return next(m for m in parents if m["ts"] == ts)


def current_question(thread: Json) -> str | None:
    prefix = ids.QUESTION_BLOCK.format(key="")
    for message in reversed(thread["replies"]):
        for block in reversed(blocks_of(message)):
            if str(block.get("block_id", "")).startswith(prefix):
                return str(block["block_id"]).removeprefix(prefix)
    return None


def last_with(thread: Json, block_id: str) -> Json | None:
    found = [m for m in thread["replies"] if has_block(m, block_id)]
    return found[-1] if found else None


def everything_said(state: Json) -> str:
    """All the text of the channel, its threads and ephemerals as this person sees them."""
    return json.dumps(state["messages"], ensure_ascii=False)
