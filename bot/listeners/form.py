"""The request form: opening it, each page submitted (answers checked as in the thread, errors
shown in the modal), and closing it part-way (the thread asks what is still unanswered).

Every page is shown in the officer's language, its questions worded from the catalogue in that
language, and its errors are in it too; what a page stores is the same in every language."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from slack_bolt import Ack, App

from bot import ids
from bot.blocks.form import BASIS_KEY, INPUT_ACTION, form_errors, form_values, form_view
from bot.listeners.actions import clicked
from bot.listeners.payloads import view_metadata, view_metadata_list
from bot.responder import Asker
from bot.services import Acted, Refused, Reply
from bot.wiring import Wiring
from flows.catalogue import catalogue_for
from flows.fields import Catalogue
from flows.form import first_page_to_fill, form_pages, with_basis
from flows.models import MonitoringRequest


def register(app: App, wiring: Wiring) -> None:
    service, responder, catalogue = wiring.service, wiring.responder, wiring.catalogue

    def worded(user: str) -> tuple[str, Catalogue]:
        """The officer's language and the questions worded in it (the same keys, rules and
        stored values in each)."""
        language = wiring.languages.language_for(user)
        return language, catalogue_for(catalogue.config, language)

    def page_view(
        request: MonitoringRequest, page_name: str, refilled: tuple[str, ...] = ()
    ) -> dict[str, Any] | None:
        """The page named `page_name` for the answers so far, in the officer's language."""
        language, questions = worded(request.officer_id)
        pages = form_pages(questions, request.answers)
        names = [p.name for p in pages]
        if page_name not in names:
            return None
        return form_view(
            request,
            pages[names.index(page_name)],
            names.index(page_name) + 1,
            len(names),
            service.today(),
            catalogue.config,
            refilled,
            language=language,
        )

    @app.action(ids.REQUEST_FORM)
    def open_form(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        asker, _ = clicked(body)
        checked = service.form_may_open(str(action.get("value") or ""), asker.user)
        if isinstance(checked, Refused):
            responder.respond(checked, asker)
            return
        page = first_page_to_fill(catalogue, checked.answers)
        view = page_view(checked, page.name)
        if view is not None:
            wiring.messenger.open_view(body["trigger_id"], view)

    @app.action({"block_id": ids.form_block(BASIS_KEY), "action_id": INPUT_ACTION})
    def basis_chosen(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        """A basis picked on the basis page: redraw it with that branch's questions."""
        ack()
        view = body.get("view") or {}
        meta = view_metadata(view)
        checked = service.form_may_open(str(meta.get("id")), body["user"]["id"])
        if isinstance(checked, Refused) or not view.get("id"):
            return
        chosen = str((action.get("selected_option") or {}).get("value") or "")
        answers = with_basis(catalogue, checked.answers, {BASIS_KEY: chosen})
        drawn = page_view(replace(checked, answers=answers), str(meta.get("page")))
        if drawn is not None:
            wiring.messenger.update_view(view["id"], drawn)

    @app.view(ids.FORM_VIEW)
    def page_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        meta = view_metadata(view)
        user = body["user"]["id"]
        values = form_values(view["state"]["values"])
        shown = view_metadata_list(view, "shown")
        result = service.form_page(
            str(meta.get("id")),
            user,
            str(meta.get("page")),
            values,
            f"form:{view['id']}:{meta.get('page')}:{body.get('trigger_id')}",
            shown,
        )
        if isinstance(result, Refused):
            first = next(iter(view["state"]["values"]), ids.FORM_INTRO_BLOCK)
            ack(response_action="errors", errors={first: responder.refusal_text(result, user)})
            return
        if not isinstance(result, Acted):
            ack()
            return
        request, outcome = result.request, result.value
        if outcome.errors:
            language, questions = worded(user)
            fields = {f.key: f for f in questions.fields}
            ack(response_action="errors", errors=form_errors(outcome.errors, fields, language))
            return
        drawn = None
        if outcome.next_page is not None:
            drawn = page_view(request, outcome.next_page.name, outcome.refilled)
        if drawn is not None:
            ack(response_action="update", view=drawn)
        else:
            ack()
        if outcome.outputs:
            asker = Asker(user, request.channel_id, request.thread_ts)
            responder.respond(Reply(request, outcome.outputs, messages=result.messages), asker)

    @app.view_closed(ids.FORM_VIEW)
    def form_closed(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        ack()
        meta = view_metadata(view)
        user = body["user"]["id"]
        result = service.form_closed(str(meta.get("id")), user, f"form_closed:{view['id']}")
        responder.respond(result, Asker(user, None))
