"""The App Home tab: published when opened, paged, and each request opened in full from it."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot import ids
from bot.blocks.home import page_offsets, refusal_modal, request_modal
from bot.services import Refused
from bot.wiring import Wiring
from flows.i18n import LANGUAGES, language_of


def register(app: App, wiring: Wiring) -> None:
    @app.event("app_home_opened")
    def home_opened(event: dict[str, Any]) -> None:
        if event.get("tab") not in (None, "home") or not event.get("user"):
            return
        wiring.home.publish(event["user"])

    @app.action(ids.HOME_PAGE_PATTERN)
    def page(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        match = ids.HOME_PAGE_PATTERN.match(action["action_id"])
        offsets = page_offsets((body.get("view") or {}).get("private_metadata"))
        if match is not None and str(action.get("value", "")).isdigit():
            offsets[match["list"]] = int(action["value"])
        wiring.home.publish(body["user"]["id"], offsets["queue"], offsets["mine"])

    @app.action(ids.HOME_LANGUAGE_ACTION)
    def language(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        """The language menu: stored and audited, then Home is redrawn in that language."""
        ack()
        value = str((action.get("selected_option") or {}).get("value") or "")
        chosen = language_of(value) if value in LANGUAGES else None
        user = body["user"]["id"]
        if chosen is not None:
            wiring.languages.set_language(user, chosen, "app_home")
        offsets = page_offsets((body.get("view") or {}).get("private_metadata"))
        wiring.home.publish(user, offsets["queue"], offsets["mine"])

    @app.action(ids.HOME_VIEW_PATTERN)
    def view(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        request_id = str(action.get("value") or "")
        user = body["user"]["id"]
        language = wiring.responder.language_for(user)
        result = wiring.homes.view(request_id, user)
        if isinstance(result, Refused):
            modal = refusal_modal(wiring.responder.refusal_text(result, user), language)
        else:
            modal = request_modal(result, wiring.catalogue, wiring.deciders, wiring.tz, language)
        wiring.messenger.open_view(body["trigger_id"], modal)
