"""The request aggregate: plain data that storage saves and restores exactly.

Everything the conversation needs to carry on after a restart lives here, so "restore, then
continue" behaves as if the bot had never stopped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flows.request_machine import OPEN_STATES, Stage

#: the audit trail's fixed vocabulary: an event outside it is a programming error, not data
AUDIT_ACTIONS = frozenset(
    {
        "created",
        "answered",
        "answer_changed",
        "answer_rejected",
        "answer_dropped",
        "summarised",
        "submitted",
        "decided",
        # reaching these states is audited under the state's name
        Stage.info_requested,
        "info_provided",
        Stage.withdrawn,
        Stage.expired,
        Stage.abandoned,
        "reminded",
        "escalated",
        Stage.installed,
        Stage.not_installed,
        "reviewed",
        "approval_recorded",
        "delegated",
        "delegation_revoked",
        # a person chose the language the bot speaks to them in (who, when, old, new)
        "language_set",
        "unauthorised_decision_attempt",
        "late_decision_attempt",
        "exported",
        "reported",
        "viewed",
        "restarted",
        "prefill_offered",
        "prefill_accepted",
        "prefill_declined",
        "withheld_shared_channel",
        # the audit trail's own upkeep: a signed head written outside the database, a retention
        # run (operator, reason, how many), and one request's content erased under it
        "checkpointed",
        "retention_applied",
        "erased",
    }
)


#: what makes someone a contributor to a request (and so never its approver)
CONTRIBUTING = frozenset(
    {"created", "answered", "answer_changed", "answer_dropped", "info_provided", "submitted"}
)


def check_audit_action(action: str) -> str:
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"{action!r} is not in the audit vocabulary")
    return action


@dataclass(frozen=True)
class AuditEvent:
    """Something that happened to a request, recorded before it is acted on elsewhere.

    `actor` is a Slack user id or "system"; `detail` holds ids and field keys, before/after values
    for changed answers, decision reasons and the officer's replies to a request for more
    information (so the audit log is as sensitive as the request itself).
    """

    action: str
    actor: str
    at: datetime
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class MonitoringRequest:
    officer_id: str
    channel_id: str
    created_at: datetime
    #: public id "MR-<n>", assigned by storage from a database sequence
    request_id: str | None = None
    #: the Slack thread this request lives in (the parent message's ts)
    thread_ts: str | None = None
    state: str = Stage.collecting.value
    #: normalised answers by field key; None means asked and skipped
    answers: dict[str, Any] = field(default_factory=dict)
    flags: dict[str, Any] = field(default_factory=dict)
    #: the field being asked while collecting
    current_field: str | None = None
    #: bad answers in a row to the current question
    strikes: int = 0
    submitted_at: datetime | None = None
    decided_at: datetime | None = None
    decided_by: str | None = None
    #: the supervisor whose delegate decided, if a delegate did
    decided_on_behalf_of: str | None = None
    decision: str | None = None
    decision_reason: str | None = None
    #: the approver's optional comment, and when the installation must be reviewed
    decision_comment: str | None = None
    review_date: date | None = None
    installed_at: datetime | None = None
    #: what the installation record says: its outcome, the day it happened, the officer's notes
    installation_outcome: str | None = None
    installation_date: date | None = None
    installation_notes: str | None = None
    closed_at: datetime | None = None
    closed_reason: str | None = None
    #: when the officer last moved the conversation on (drives idle reminders)
    last_activity_at: datetime | None = None
    #: how many times it has been submitted for approval (a resubmission supersedes the old card)
    approval_round: int = 0
    #: where the current approval card was posted (opaque to the domain: a Slack ts)
    approval_card_ref: str | None = None
    #: what each approval round's card showed and how it ended (see flows.rounds), oldest first
    rounds: list[dict[str, Any]] = field(default_factory=list)
    #: where the current question was posted (a Slack ts, opaque here): once answered, that
    #: message is rewritten to show the answer, so the thread never keeps live buttons
    question_ref: str | None = None
    #: the request this one was restarted from, carrying its answers over (a public id)
    restarted_from: str | None = None
    #: the request that replaced this one when it was restarted (a public id)
    restarted_as: str | None = None
    #: answers offered or taken from an earlier request about the same person:
    #: {"from": "MR-<n>", "status": "offered" | "accepted" | "declined", "fields": [keys]}
    prefill: dict[str, Any] = field(default_factory=dict)
    #: the next time the scheduler must look at this request (see flows.timers); None: nothing due
    due_at: datetime | None = None
    #: reminders already sent in the current wait, by kind -> ISO time (reset when things move on)
    nudges: dict[str, str] = field(default_factory=dict)
    #: everyone who answered or changed the request: none of them may approve it
    contributors: list[str] = field(default_factory=list)
    #: optimistic-concurrency version, owned by storage
    version: int = 0
    #: audit events raised since the request was loaded; storage appends and clears them
    events: list[AuditEvent] = field(default_factory=list)

    def record(self, action: str, actor: str, at: datetime, **detail: Any) -> None:
        action = str(action)  # a Stage names an action too: store the plain text
        self.events.append(
            AuditEvent(check_audit_action(action), actor=actor, at=at, detail=detail)
        )
        if action in CONTRIBUTING and actor != "system" and actor not in self.contributors:
            self.contributors.append(actor)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES
