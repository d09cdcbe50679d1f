"""The decision dialogs: Approve (comment, review date), and the reason for Reject and Request
more info."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from slack_bolt import Ack, App

from bot import ids
from bot.responder import Asker
from bot.wiring import Wiring
from flows.approval import Decision

EMPTY_REASON = "Give a reason: the officer needs to know why, and it is recorded."


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
            ack(response_action="errors", errors={ids.REASON_BLOCK: EMPTY_REASON})
            return
        ack()
        meta = json.loads(view.get("private_metadata") or "{}")
        user = body["user"]["id"]
        decision: Decision = "reject" if meta.get("decision") == "reject" else "request_info"
        result = wiring.service.decide(
            str(meta.get("id")),
            decision,
            user,
            reason,
            meta.get("card") or None,
            f"view:{view['id']}",
        )
        asker = Asker(user, meta.get("channel") or None, meta.get("thread") or None)
        wiring.responder.respond(result, asker)

    @app.view(ids.APPROVE_VIEW)
    def approval_given(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = view["state"]["values"]
        comment = values.get(ids.COMMENT_BLOCK, {}).get(ids.COMMENT_ACTION, {}).get("value")
        chosen = values.get(ids.REVIEW_DATE_BLOCK, {}).get(ids.REVIEW_DATE_ACTION, {})
        review = _date(chosen.get("selected_date"))
        problem = wiring.service.review_date_problem(review)
        if problem:
            ack(response_action="errors", errors={ids.REVIEW_DATE_BLOCK: problem})
            return
        ack()
        meta = json.loads(view.get("private_metadata") or "{}")
        user = body["user"]["id"]
        result = wiring.service.decide(
            str(meta.get("id")),
            "approve",
            user,
            None,
            meta.get("card") or None,
            f"view:{view['id']}",
            comment=comment,
            review_date=review,
        )
        asker = Asker(user, meta.get("channel") or None, meta.get("thread") or None)
        wiring.responder.respond(result, asker)


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
