"""The reason dialog for Reject and Request more info."""

from __future__ import annotations

import json
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
