"""Sending the outbox. What a state change must say is recorded in the change's own transaction
(`Recorder` renders it as outbox messages); `OutboxSender` sends it, at once after the commit in
the process that made the change, or from the scheduler once that process's lease has run out
(it crashed, or Slack failed). Each message is sent under a lease and marked sent only while the
lease is still its sender's; a post that an earlier attempt may have made is looked for in Slack
first, by the key in its metadata, so that a message delivered twice is posted once."""

from __future__ import annotations

import json
import logging
import os
import signal
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient

from bot.blocks.text import Message
from bot.metrics import METRICS
from bot.services import HOLD_SECONDS
from bot.slack.messenger import SEND_ERRORS, error_code, post_payload, update_payload
from bot.slack.retries import retry_after
from flows.clock import Clock
from flows.ports import OutboxMessage, UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

#: the metadata event type of every post sent from the outbox; its payload holds the key
KEY_EVENT = "mosovo_outbox"
#: the outbox's last_error for a message never sent because its channel became shared
WITHHELD = "withheld_shared_channel"
#: a held message with less of its hold left than this is renewed before it is sent
HOLD_RENEW_BELOW = timedelta(seconds=HOLD_SECONDS / 2)
#: how far before a message was recorded a search for it in its thread starts (clock skew)
SEARCH_MARGIN = timedelta(minutes=5)
#: asked before delivery: True withholds the message (its channel is now shared outside)
Withhold = Callable[[OutboxMessage], bool]
#: a question posted at a ts it could not be remembered for (request id, field key, ts)
QuestionMissed = Callable[[str, str, str], None]
#: TESTS ONLY (the crash-recovery suite): "<point>:<purpose>" kills this process with SIGKILL at
#: that point of sending, at once after a change, a message for that purpose. Points: "committed"
#: (the change is saved, its message not yet posted) and "posted" (posted, not marked sent).
CRASH_AT = "MOSOVO_TEST_CRASH_AT"
#: the purpose of a new request's parent message: the thread's first, in the channel
THREAD_PARENT = "thread_parent"
#: in `extra`: the message belongs in (or links to) its request's thread, whose parent may not
#: be posted yet; it is sent once the parent's ts is known, in the order recorded
AWAITS_THREAD = "awaits_thread"
#: in a payload awaiting its thread: where the thread's permalink goes once the parent is posted
THREAD_LINK = "mosovo-thread-link:"
#: the outbox's last_error for a message whose thread's parent was never posted
NO_THREAD = "thread_never_posted"
#: a message whose thread's parent is still to be posted looks again after this (it is made
#: due at once when the parent is marked sent)
THREAD_WAIT = timedelta(minutes=10)


def _crash_point(point: str, message: OutboxMessage) -> None:
    wanted = os.environ.get(CRASH_AT)
    if wanted and wanted == f"{point}:{message.purpose}":
        log.warning("killed at a test crash point", extra={"action": wanted})
        os.kill(os.getpid(), signal.SIGKILL)


def keyed(payload: dict[str, Any]) -> dict[str, Any]:
    """A chat.postMessage payload carrying a key of its own, by which it is found again."""
    key = uuid.uuid4().hex
    return {**payload, "metadata": {"event_type": KEY_EVENT, "event_payload": {"key": key}}}


def key_of(payload: dict[str, Any]) -> str | None:
    metadata = payload.get("metadata")
    if not isinstance(metadata, dict) or metadata.get("event_type") != KEY_EVENT:
        return None
    key = (metadata.get("event_payload") or {}).get("key")
    return str(key) if key else None


class Recorder:
    """Takes what the presenter says as outbox messages, to be added in the transaction of the
    change they report. Posts have no ts yet, so nothing that needs one is done here.
    `awaits_thread`: what it takes belongs in a thread whose parent is recorded but not posted
    (a new request's): each waits for the parent's ts, and is placed in its thread then."""

    def __init__(self, clock: Clock, awaits_thread: bool = False) -> None:
        self.clock = clock
        self.awaits_thread = awaits_thread
        self.messages: list[OutboxMessage] = []

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
        payload = keyed(post_payload(channel, message, thread_ts))
        self._add("chat.postMessage", payload, purpose, request_id, extra)
        return None

    def update(
        self,
        channel: str,
        ts: str,
        message: Message,
        request_id: str | None = None,
        purpose: str = "card_update",
    ) -> None:
        self._add("chat.update", update_payload(channel, ts, message), purpose, request_id, None)

    def _add(
        self,
        method: str,
        payload: dict[str, Any],
        purpose: str,
        request_id: str | None,
        extra: dict[str, Any] | None,
    ) -> None:
        if self.awaits_thread:
            extra = {**(extra or {}), AWAITS_THREAD: True}
        self.messages.append(
            OutboxMessage(
                method,
                payload,
                request_id,
                purpose,
                created_at=self.clock.now(),
                extra=extra or {},
            )
        )


@dataclass
class DeliveryCounts:
    sent: int = 0
    failed: int = 0
    gave_up: int = 0
    #: the ts of a new request's parent message, posted by this delivery
    thread: str | None = None
    #: a new request's parent message Slack would not take at once (still held, not retried)
    thread_refused: bool = False
    #: requests whose parent message was given up after its last attempt (the caller closes them)
    threads_lost: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Posted:
    message: OutboxMessage
    ts: str | None


class OutboxSender:
    def __init__(
        self,
        client: WebClient,
        uow: UnitOfWorkFactory,
        clock: Clock,
        max_attempts: int = 8,
        backoff: timedelta = timedelta(seconds=30),
        withhold: Withhold = lambda _message: False,
        marks: UnitOfWorkFactory | None = None,
        grouped: Callable[[Callable[[UnitOfWork], object]], None] | None = None,
        question_missed: QuestionMissed = lambda _request_id, _field_key, _ts: None,
    ) -> None:
        self.client = client
        self.uow = uow
        self.clock = clock
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.withhold = withhold
        #: marking sent may use a unit of work that does not wait for the disk: a mark lost in
        #: a power cut makes the message due again, and its post is then found in Slack
        self.marks = marks or uow
        #: runs the marking in a transaction shared with other threads' (storage.hints, SQLite:
        #: one turn at the write lock for many answers); None: a transaction of its own
        self.grouped = grouped
        #: told of a question whose answer was accepted before its post returned (its message
        #: is tidied as the answer's own transaction would have had it)
        self.question_missed = question_missed

    # -- the process that made the change --------------------------------------------------

    def deliver_held(
        self, messages: list[OutboxMessage], withheld: Callable[[], bool] | None = None
    ) -> DeliveryCounts:
        """Send messages added (with a lease) by the transaction that just committed, in order;
        what fails is left to the scheduler. Never raises: the change itself is saved.
        `withheld`: asked once for them all (they are about one request, in one channel).
        A new request's parent is marked sent (its ts saved) as soon as it is posted, and what
        follows goes in its thread; a parent Slack will not take stays held, and what follows
        it unsent (`thread_refused`: the caller closes the request)."""
        counts = DeliveryCounts()
        if not messages:
            return counts
        posted: list[_Posted] = []
        try:
            if withheld() if withheld is not None else self.withhold(messages[0]):
                self._withheld(messages)
                return counts
            for message in messages:
                try:
                    if not self._placed(message, counts.thread):
                        break  # its thread's parent is not posted: it waits (or is given up)
                except SEND_ERRORS:  # no link to the thread yet: the scheduler takes the rest
                    break
                item = self._prompt(message, counts)
                if item is None:
                    if message.purpose == THREAD_PARENT:
                        counts.thread_refused = True
                        break
                    continue
                posted.append(item)
                if message.purpose == THREAD_PARENT:
                    self._mark_sent(posted)  # what follows is placed in its thread
                    counts.sent += len(posted)
                    METRICS.outbox_sent.inc(len(posted))
                    posted, counts.thread = [], item.ts
            self._mark_sent(posted)
        except Exception as error:  # e.g. the database went away after the commit
            log.warning(
                "prompt delivery failed; the scheduler sends what is left",
                extra={"request_id": messages[0].request_id, "error": type(error).__name__},
            )
            return counts
        counts.sent += len(posted)
        METRICS.outbox_sent.inc(len(posted))
        return counts

    def _prompt(self, message: OutboxMessage, counts: DeliveryCounts) -> _Posted | None:
        _crash_point("committed", message)
        remaining = (message.lease_until or self.clock.now()) - self.clock.now()
        if remaining < HOLD_RENEW_BELOW and not self._renew(message, HOLD_SECONDS):
            # the ones before it took so long that the scheduler took it over: it is theirs to send
            log.info("outbox lease lost", extra={"request_id": message.request_id})
            return None
        posted = self._attempt(message, counts, prompt=True)
        if posted is not None:
            _crash_point("posted", message)
        return posted

    # -- the scheduler ---------------------------------------------------------------------

    def deliver_claimed(self, message: OutboxMessage, counts: DeliveryCounts, lease: float) -> None:
        """One message of a claimed batch: renewed first, so that each has a whole lease of its
        own however long the ones before it took."""
        if not self._renew(message, lease):
            # another replica claimed it after our batch's lease ran out: it is theirs to send
            log.info("outbox lease lost", extra={"request_id": message.request_id})
            return
        if self.withhold(message):
            self._withheld([message])
            return
        try:
            placed = self._placed(message)
        except SEND_ERRORS as error:  # the thread's permalink could not be had
            self._failed(message, error_code(error), counts, retry_after(error))
            return
        if placed is None:
            self._never_placed(message, counts)
            return
        if not placed:
            with self.uow() as uow:  # not an attempt: it is due again once the parent is sent
                assert message.id is not None
                uow.outbox.release(message.id, "awaiting_thread", self.clock.now() + THREAD_WAIT)
                uow.commit()
            return
        posted = self._attempt(message, counts)
        if posted is None:
            return
        self._mark_sent([posted])
        counts.sent += 1
        METRICS.outbox_sent.inc()

    # -- the steps -------------------------------------------------------------------------

    def _attempt(
        self, message: OutboxMessage, counts: DeliveryCounts, prompt: bool = False
    ) -> _Posted | None:
        """Make the call (unless an earlier attempt already made the post); None: it failed,
        and is due again later (or given up). A prompt attempt that fails is handed to the
        scheduler at once, as a first failure of a post always was."""
        try:
            found = self._already_posted(message) if message.maybe_sent else None
            if found is not None:
                log.info(
                    "outbox post found already made; not posted again",
                    extra={"request_id": message.request_id, "method": message.method},
                )
                return _Posted(message, found)
            response = self.client.api_call(message.method, json=message.payload)
        except SEND_ERRORS as error:
            if prompt and message.purpose == THREAD_PARENT:
                # still held: the listener closes the request, rather than leave it waiting
                METRICS.slack_errors.labels(method=message.method, error=error_code(error)).inc()
                log.warning(
                    "slack would not take a new request's thread",
                    extra={"request_id": message.request_id, "error": error_code(error)},
                )
            elif prompt:
                self._handed_on(message, error_code(error), counts, retry_after(error))
            else:
                self._failed(message, error_code(error), counts, retry_after(error))
            return None
        return _Posted(message, str(response.get("ts") or "") or None)

    def _placed(self, message: OutboxMessage, thread: str | None = None) -> bool | None:
        """A message awaiting its request's thread is placed in it (True) once the parent's ts
        is known (`thread`, else as saved): a post goes in the thread, and a link to the thread
        is filled in (raises a Slack error when Slack will not give one). False: the parent is
        still to be posted; None: it never will be. Any other message is ready as it is."""
        if not message.extra.get(AWAITS_THREAD) or message.request_id is None:
            return True
        if message.method == "chat.postMessage" and message.payload.get("thread_ts"):
            return True
        if thread is None:
            with self.uow() as uow:
                thread = uow.requests.thread_of(message.request_id)
                if thread is None:
                    # False: its parent is still to be posted; None: it never will be
                    return False if uow.outbox.pending(message.request_id, THREAD_PARENT) else None
        payload = dict(message.payload)
        if message.method == "chat.postMessage":
            payload["thread_ts"] = thread
        drawn = json.dumps(payload)
        if THREAD_LINK in drawn:
            link = self._permalink(str(payload["channel"]), thread)
            payload = json.loads(drawn.replace(THREAD_LINK, json.dumps(link)[1:-1]))
        message.payload = payload
        return True

    def _permalink(self, channel: str, ts: str) -> str:
        response = self.client.api_call(
            "chat.getPermalink", http_verb="GET", params={"channel": channel, "message_ts": ts}
        )
        return str(response["permalink"])

    def _never_placed(self, message: OutboxMessage, counts: DeliveryCounts) -> None:
        assert message.id is not None
        with self.uow() as uow:
            uow.outbox.mark_failed(message.id, NO_THREAD, None)
            uow.commit()
        counts.gave_up += 1
        METRICS.outbox_gave_up.inc()
        log.error(
            "outbox message given up: its thread was never posted; kept for an operator",
            extra={"request_id": message.request_id, "method": message.method},
        )

    def _already_posted(self, message: OutboxMessage) -> str | None:
        """The ts of this post in Slack, if an earlier attempt made it; None when it is not there
        (or is not a post). Raises a Slack error when Slack cannot say: never post blind."""
        key = key_of(message.payload) if message.method == "chat.postMessage" else None
        if key is None:
            return None
        channel = message.payload["channel"]
        thread = message.payload.get("thread_ts")
        since = (message.created_at or self.clock.now()) - SEARCH_MARGIN
        params: dict[str, Any] = {
            "channel": channel,
            "oldest": f"{since.timestamp():.6f}",
            "include_all_metadata": "true",
            "limit": 200,
        }
        method = "conversations.history"
        if thread:
            method, params["ts"] = "conversations.replies", thread
        while True:
            response = self.client.api_call(method, http_verb="GET", params=params)
            for found in response.get("messages") or []:
                if key_of(found) == key:
                    return str(found.get("ts") or "") or None
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None
            params["cursor"] = cursor

    def _mark_sent(self, posted: list[_Posted]) -> None:
        """Sent, only where the lease is still ours; where cards and questions landed, in the
        same transaction (so later updates find them)."""
        if not posted:
            return
        now = self.clock.now()
        #: questions not remembered, by message (the marking may be run again on its own)
        missed: dict[int, tuple[str, str, str]] = {}

        def mark(uow: UnitOfWork) -> None:
            for item in posted:
                message = item.message
                assert message.id is not None
                if not uow.outbox.mark_sent(message.id, now, message.lease_until):
                    log.warning(
                        "outbox message sent after its lease ran out",
                        extra={"request_id": message.request_id, "method": message.method},
                    )
                if not (item.ts and message.request_id):
                    continue
                if message.purpose == THREAD_PARENT:
                    uow.requests.attach_thread(message.request_id, item.ts)
                    uow.outbox.due_now(message.request_id, now)  # what waited for it follows
                if message.purpose == "approval_card" and "round" in message.extra:
                    uow.requests.remember_card(
                        message.request_id, int(message.extra["round"]), item.ts
                    )
                field_key = message.extra.get("field") if message.purpose == "question" else None
                if field_key:
                    found = (message.request_id, str(field_key), item.ts)
                    if uow.requests.remember_question(*found):
                        missed.pop(message.id, None)
                    else:
                        missed[message.id] = found

        if self.grouped is not None:
            self.grouped(mark)
        else:
            with self.marks() as uow:
                mark(uow)
                uow.commit()
        for found in missed.values():
            self.question_missed(*found)

    def _renew(self, message: OutboxMessage, lease: float) -> bool:
        until = self.clock.now() + timedelta(seconds=lease)
        with self.uow() as uow:
            renewed = uow.outbox.renew(message, until)
            uow.commit()
        return renewed

    def _withheld(self, messages: list[OutboxMessage]) -> None:
        with self.uow() as uow:
            for message in messages:
                assert message.id is not None
                uow.outbox.mark_failed(message.id, WITHHELD, None)  # kept for an operator
            uow.commit()

    def _handed_on(
        self, message: OutboxMessage, code: str, counts: DeliveryCounts, wait: float | None = None
    ) -> None:
        """The listener's one prompt attempt failed: the scheduler takes it from here, not before
        Slack's Retry-After (`wait`, seconds)."""
        assert message.id is not None
        due = self.clock.now() + timedelta(seconds=wait) if wait is not None else None
        with self.uow() as uow:
            uow.outbox.release(message.id, code, due)
            uow.commit()
        counts.failed += 1
        METRICS.slack_errors.labels(method=message.method, error=code).inc()
        METRICS.outbox_added.inc()
        log.warning(
            "slack call failed; kept in the outbox",
            extra={"method": message.method, "request_id": message.request_id, "error": code},
        )

    def _failed(
        self, message: OutboxMessage, code: str, counts: DeliveryCounts, wait: float | None = None
    ) -> None:
        """Count a failed attempt; the next is after a growing backoff, and never sooner than
        Slack's Retry-After (`wait`, seconds)."""
        assert message.id is not None
        attempts = message.attempts + 1
        give_up = attempts >= self.max_attempts
        backoff = self.backoff * (2 ** min(attempts - 1, 6))
        if wait is not None:
            backoff = max(backoff, timedelta(seconds=wait))
        retry_at: datetime | None = None if give_up else self.clock.now() + backoff
        with self.uow() as uow:
            uow.outbox.mark_failed(message.id, code, retry_at)
            lost = give_up and message.purpose == THREAD_PARENT and message.request_id is not None
            if lost:
                uow.outbox.give_up_request(str(message.request_id), NO_THREAD)  # what followed
            uow.commit()
        if lost:
            counts.threads_lost.append(str(message.request_id))
        counts.failed += 1
        METRICS.slack_errors.labels(method=message.method, error=code).inc()
        if give_up:
            counts.gave_up += 1
            METRICS.outbox_gave_up.inc()
            log.error(
                "outbox message gave up after its last attempt; it is kept for an operator",
                extra={
                    "request_id": message.request_id,
                    "method": message.method,
                    "attempts": attempts,
                    "error": code,
                },
            )
