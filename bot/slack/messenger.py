"""Posting to Slack so that nothing is lost: retries happen in slack_sdk's handlers; what still
fails goes to the outbox, which the scheduler sweeps."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.blocks.text import Message
from bot.metrics import METRICS
from bot.slack.retries import retry_after
from flows.clock import Clock
from flows.ports import OutboxMessage, UnitOfWorkFactory

log = logging.getLogger(__name__)

#: permalinks remembered (least recently used forgotten first)
PERMALINKS_KEPT = 10_000

SEND_ERRORS = (SlackApiError, SlackClientError, OSError)


def post_payload(channel: str, message: Message, thread_ts: str | None = None) -> dict[str, Any]:
    """chat.postMessage arguments; never `link_names` or `parse`, so user text stays inert."""
    payload: dict[str, Any] = {
        "channel": channel,
        "text": message.text,
        "blocks": message.blocks,
        "unfurl_links": False,
        "unfurl_media": False,
    }
    if thread_ts:
        payload["thread_ts"] = thread_ts
    return payload


def update_payload(channel: str, ts: str, message: Message) -> dict[str, Any]:
    return {"channel": channel, "ts": ts, "text": message.text, "blocks": message.blocks}


def error_code(error: Exception) -> str:
    if isinstance(error, SlackApiError):
        return str(error.response.get("error") or error.response.status_code)
    return type(error).__name__


class Messenger:
    def __init__(self, client: WebClient, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self.client = client
        self.uow = uow
        self.clock = clock
        self._links: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._links_lock = threading.Lock()

    def post(
        self,
        channel: str,
        message: Message,
        thread_ts: str | None = None,
        purpose: str = "message",
        request_id: str | None = None,
        extra: dict[str, Any] | None = None,
        keep: bool = True,
    ) -> str | None:
        """Post; the message's ts, or None when it failed (and was kept in the outbox if `keep`)."""
        payload = post_payload(channel, message, thread_ts)
        return self.call("chat.postMessage", payload, purpose, request_id, extra, keep)

    def update(
        self,
        channel: str,
        ts: str,
        message: Message,
        request_id: str | None = None,
        purpose: str = "card_update",
    ) -> None:
        self.call("chat.update", update_payload(channel, ts, message), purpose, request_id)

    def call(
        self,
        method: str,
        payload: dict[str, Any],
        purpose: str,
        request_id: str | None = None,
        extra: dict[str, Any] | None = None,
        keep: bool = True,
    ) -> str | None:
        try:
            response = self.client.api_call(method, json=payload)
        except SEND_ERRORS as error:
            code = error_code(error)
            METRICS.slack_errors.labels(method=method, error=code).inc()
            log.warning(
                "slack call failed",
                extra={"method": method, "request_id": request_id, "error": code},
            )
            if not keep:
                return None
            now = self.clock.now()
            wait = retry_after(error)  # Slack said when: not before then
            with self.uow() as uow:
                uow.outbox.add(
                    OutboxMessage(
                        method=method,
                        payload=payload,
                        request_id=request_id,
                        purpose=purpose,
                        last_error=code,
                        created_at=now,
                        next_attempt_at=None if wait is None else now + timedelta(seconds=wait),
                        extra=extra or {},
                    )
                )
                uow.commit()
            METRICS.outbox_added.inc()
            return None
        return str(response.get("ts") or "") or None

    def ephemeral(self, channel: str, user: str, text: str, thread_ts: str | None = None) -> None:
        """Only the one user sees it; not worth an outbox entry if Slack is down (they retry)."""
        args: dict[str, Any] = {"channel": channel, "user": user, "text": text}
        if thread_ts:
            args["thread_ts"] = thread_ts
        try:
            self.client.chat_postEphemeral(**args)
        except SEND_ERRORS as error:
            METRICS.slack_errors.labels(method="chat.postEphemeral", error=error_code(error)).inc()
            log.warning(
                "ephemeral message failed", extra={"user": user, "error": error_code(error)}
            )

    def permalink(self, channel: str, ts: str) -> str | None:
        """A link to a message (a request's thread or card); None when Slack will not give one.
        Remembered: a message's permalink never changes, so a Home page costs Slack calls only
        for messages not linked before."""
        key = (channel, ts)
        with self._links_lock:
            if key in self._links:
                self._links.move_to_end(key)
                return self._links[key]
        try:
            response = self.client.chat_getPermalink(channel=channel, message_ts=ts)
        except SEND_ERRORS as error:
            METRICS.slack_errors.labels(method="chat.getPermalink", error=error_code(error)).inc()
            log.warning("no permalink", extra={"channel": channel, "error": error_code(error)})
            return None
        link = response.get("permalink")
        if not link:
            return None
        with self._links_lock:
            self._links[key] = str(link)
            while len(self._links) > PERMALINKS_KEPT:
                self._links.popitem(last=False)
        return str(link)

    def open_view(self, trigger_id: str, view: dict[str, Any]) -> str | None:
        """The opened view's id, or None when Slack would not open it (an expired trigger)."""
        try:
            response = self.client.views_open(trigger_id=trigger_id, view=view)
        except SEND_ERRORS as error:
            METRICS.slack_errors.labels(method="views.open", error=error_code(error)).inc()
            log.warning("could not open a dialog", extra={"error": error_code(error)})
            return None
        return str((response.get("view") or {}).get("id") or "") or None

    def update_view(self, view_id: str, view: dict[str, Any]) -> None:
        try:
            self.client.views_update(view_id=view_id, view=view)
        except SEND_ERRORS as error:
            METRICS.slack_errors.labels(method="views.update", error=error_code(error)).inc()
            log.warning("could not update a dialog", extra={"error": error_code(error)})
