"""The decision dialogs: Approve (comment, review date), and the reason for Reject and Request
more info."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, NamedTuple

from slack_bolt import Ack, App

from bot import ids
from bot.listeners.payloads import view_metadata
from bot.responder import Asker, Result
from bot.services import Refused
from bot.wiring import Wiring
from flows.approval import Decision
from flows.i18n import N_, translator
from flows.installation import RecordRefused

EMPTY_REASON = N_("Give a reason: the officer needs to know why, and it is recorded.")


#: a service's record of an installation or a review: (request id, user, outcome, date, notes,
#: delivery key)
Record = Callable[[str, str, str, date | None, str | None, str], Result]
#: an input of a dialog: (block id, action id)
Input = tuple[str, str]


class RecordInputs(NamedTuple):
    """The inputs of an installation or review dialog."""

    outcome: Input
    on: Input
    notes: Input


INSTALLATION_INPUTS = RecordInputs(
    (ids.INSTALL_OUTCOME_BLOCK, ids.INSTALL_OUTCOME_ACTION),
    (ids.INSTALL_DATE_BLOCK, ids.INSTALL_DATE_ACTION),
    (ids.INSTALL_NOTES_BLOCK, ids.INSTALL_NOTES_ACTION),
)
REVIEW_INPUTS = RecordInputs(
    (ids.REVIEW_OUTCOME_BLOCK, ids.REVIEW_OUTCOME_ACTION),
    (ids.REVIEW_NEXT_BLOCK, ids.REVIEW_NEXT_ACTION),
    (ids.REVIEW_NOTES_BLOCK, ids.REVIEW_NOTES_ACTION),
)


def register(app: App, wiring: Wiring) -> None:
    @app.view(ids.REASON_VIEW)
    def reason_given(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        value = (
            view["state"]["values"]
            .get(ids.REASON_BLOCK, {})
            .get(ids.REASON_ACTION, {})
            .get("value")
        )
        reason = (value or "").strip()
        if not reason:
            t = translator(wiring.responder.language_for(body["user"]["id"]))
            ack(response_action="errors", errors={ids.REASON_BLOCK: t(EMPTY_REASON)})
            return
        ack()
        chosen = view_metadata(view).get("decision")
        decided(body, view, "reject" if chosen == "reject" else "request_info", reason)

    @app.view(ids.APPROVE_VIEW)
    def approval_given(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = view["state"]["values"]
        comment = values.get(ids.COMMENT_BLOCK, {}).get(ids.COMMENT_ACTION, {}).get("value")
        review = _date(_picked(values, ids.REVIEW_DATE_BLOCK, ids.REVIEW_DATE_ACTION))
        problem = wiring.service.review_date_problem(review)
        if problem:
            t = translator(wiring.responder.language_for(body["user"]["id"]))
            ack(response_action="errors", errors={ids.REVIEW_DATE_BLOCK: problem(t)})
            return
        ack()
        decided(body, view, "approve", None, comment=comment, review_date=review)

    def decided(
        body: dict[str, Any],
        view: dict[str, Any],
        decision: Decision,
        reason: str | None,
        comment: str | None = None,
        review_date: date | None = None,
    ) -> None:
        """A decision submitted in its dialog (acknowledged): made on the card the dialog was
        opened from, and answered to the decider."""
        meta = view_metadata(view)
        user = body["user"]["id"]
        result = wiring.service.decide(
            str(meta.get("id")),
            decision,
            user,
            reason,
            meta.get("card") or None,
            f"view:{view['id']}",
            comment=comment,
            review_date=review_date,
            card_round=_round(meta),
        )
        wiring.responder.respond(result, _asker(user, meta))

    def recorded(
        ack: Ack,
        body: dict[str, Any],
        view: dict[str, Any],
        record: Record,
        inputs: RecordInputs,
    ) -> None:
        """Record an installation or review; a record that does not hold together is refused
        in the dialog, on the outcome (none chosen) or the date block. What was submitted is
        added to the delivery key, so a redelivery is still one record but a corrected
        submission of the same dialog is not mistaken for the refused one."""
        values = view["state"]["values"]
        outcome = _choice(values, *inputs.outcome)
        on = _date(_picked(values, *inputs.on))
        notes = _text(values, *inputs.notes)
        meta = view_metadata(view)
        user = body["user"]["id"]
        delivery = f"view:{view['id']}:{outcome}:{on}"
        result = record(str(meta.get("id")), user, outcome, on, notes, delivery)
        if isinstance(result, Refused) and isinstance(result.error, RecordRefused):
            block, _ = inputs.on if outcome else inputs.outcome
            said = wiring.responder.refusal_text(result, user)  # in the reader's language
            ack(response_action="errors", errors={block: said})
            return
        ack()
        wiring.responder.respond(result, _asker(user, meta))

    @app.view(ids.INSTALLATION_VIEW)
    def installation_recorded(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        recorded(ack, body, view, wiring.service.record_installation, INSTALLATION_INPUTS)

    @app.view(ids.REVIEW_VIEW)
    def review_recorded(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        recorded(ack, body, view, wiring.service.record_review, REVIEW_INPUTS)


def _asker(user: str, meta: dict[str, str]) -> Asker:
    """The decider or recorder, and the thread the dialog was opened from."""
    return Asker(user, meta.get("channel") or None, meta.get("thread") or None)


def _round(meta: dict[str, Any]) -> int | None:
    """The round of the card the dialog was opened from (None: a dialog from before cards
    carried their round)."""
    value = meta.get("round")  # written as a string: view_metadata keeps only strings
    if isinstance(value, str) and value.isdigit() and len(value) <= 6:
        return int(value)
    return None


def _choice(values: dict[str, Any], block: str, action: str) -> str:
    selected = values.get(block, {}).get(action, {}).get("selected_option") or {}
    return str(selected.get("value") or "")


def _picked(values: dict[str, Any], block: str, action: str) -> Any:
    return values.get(block, {}).get(action, {}).get("selected_date")


def _text(values: dict[str, Any], block: str, action: str) -> str | None:
    value = values.get(block, {}).get(action, {}).get("value")
    return value if isinstance(value, str) else None


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
