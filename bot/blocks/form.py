"""The request form: a modal per page of flows.form, built from the field catalogue (selects for
choices, date pickers for dates, text inputs for the rest). Each input's block id is its field
key with the `form:` prefix. Modal text is plain text: what the officer typed is shown as typed,
never escaped for mrkdwn (which a modal's inputs do not render)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from bot import ids
from bot.blocks.text import button, context, marking, section, truncate
from flows.config import FlowConfig
from flows.field_rules import INDEFINITE
from flows.fields import Field, FieldKind, ParseContext, Rejected, validate
from flows.form import FormPage, required_here, shown_on
from flows.i18n import DEFAULT_LANGUAGE, N_, Translator, joined, translator
from flows.models import MonitoringRequest

#: Slack's limits for modals (Block Kit reference)
MODAL_BLOCKS = 100
TITLE_LIMIT = 24
LABEL_LIMIT = 2000
HINT_LIMIT = 2000
OPTION_TEXT_LIMIT = 75
OPTIONS_LIMIT = 100
INPUT_ACTION = "value"
YES_NO = (("yes", N_("Yes")), ("no", N_("No")))
#: the question whose answer chooses the branch: picking one redraws the page with its questions
BASIS_KEY = "legal_basis"


def form_actions(
    request: MonitoringRequest, languages: Sequence[str] = (DEFAULT_LANGUAGE,)
) -> dict[str, Any]:
    """On a request's first message (read by many: the thread's languages, on one button): the
    form, for an officer quicker with one than a chat."""
    label = joined(languages, lambda t: t("Fill in a form"))
    return {
        "type": "actions",
        "block_id": ids.FORM_ACTIONS_BLOCK,
        "elements": [button(label, ids.REQUEST_FORM, str(request.request_id))],
    }


def form_view(
    request: MonitoringRequest,
    page: FormPage,
    number: int,
    total: int,
    today: date,
    config: FlowConfig,
    refilled: Sequence[str] = (),
    language: str = DEFAULT_LANGUAGE,
) -> dict[str, Any]:
    """One page of the form, in the officer's language (the page and its fields come worded in
    it from the conversation's catalogue). `refilled`: questions answered elsewhere while this
    page was open (answers reused from an earlier request, accepted in the thread), now shown
    filled in for the officer to check."""
    t = translator(language)
    last = number == total
    if last:
        intro = t(
            "*{title}* (page {number} of {total}). Every answer is checked as in the thread; "
            "*Done* puts the summary in the thread.",
            title=page.title,
            number=number,
            total=total,
        )
    else:
        intro = t(
            "*{title}* (page {number} of {total}). Every answer is checked as in the thread; "
            "you can finish in the thread at any time.",
            title=page.title,
            number=number,
            total=total,
        )
    blocks: list[dict[str, Any]] = [section(f"{marking(t)}\n{intro}", ids.FORM_INTRO_BLOCK)]
    if refilled:
        if last:
            refill = t(
                "Answers reused from an earlier request were filled in while this page was "
                "open: check them, then press *Done*."
            )
        else:
            refill = t(
                "Answers reused from an earlier request were filled in while this page was "
                "open: check them, then press *Next*."
            )
        blocks.append(context(refill, ids.FORM_REFILLED_BLOCK))
    for field in page.fields:
        ctx = ParseContext(today, dict(request.answers), config)
        blocks.append(_input(field, request, ctx, t))
    blocks = blocks[: MODAL_BLOCKS - 1]
    blocks.append(context(t("Optional questions can be left empty.")))
    return {
        "type": "modal",
        "callback_id": ids.FORM_VIEW,
        "title": _plain(truncate(f"{request.request_id} {number}/{total}", TITLE_LIMIT)),
        "submit": _plain(t("Done") if last else t("Next")),
        "close": _plain(t("Close")),
        "notify_on_close": True,
        "private_metadata": json.dumps(
            {"id": request.request_id, "page": page.name, "shown": shown_on(page, request.answers)}
        ),
        "blocks": blocks,
    }


def form_values(state: dict[str, Any]) -> dict[str, str]:
    """What each input of a submitted page holds, as text the field's parser reads (a select's
    option value, a date as YYYY-MM-DD), by field key."""
    values: dict[str, str] = {}
    for block_id, actions in state.items():
        if not block_id.startswith(ids.FORM_BLOCK_PREFIX):
            continue
        entry = (actions or {}).get(INPUT_ACTION) or {}
        selected = entry.get("selected_option") or {}
        text = selected.get("value") or entry.get("selected_date") or entry.get("value") or ""
        values[block_id.removeprefix(ids.FORM_BLOCK_PREFIX)] = str(text)
    return values


def form_errors(
    errors: dict[str, str], fields: dict[str, Field], language: str = DEFAULT_LANGUAGE
) -> dict[str, str]:
    """response_action errors: by input block, in the thread's words, with its example."""
    t = translator(language)
    shown = {}
    for key, message in errors.items():
        field = fields.get(key)
        if field is not None and field.example not in message:
            message = t("{message} Example: {example}", message=message, example=field.example)
        shown[ids.form_block(key)] = truncate(message, HINT_LIMIT)
    return shown


def _input(
    field: Field, request: MonitoringRequest, ctx: ParseContext, t: Translator
) -> dict[str, Any]:
    value = request.answers.get(field.key)
    block: dict[str, Any] = {
        "type": "input",
        "block_id": ids.form_block(field.key),
        "label": _plain(truncate(field.label, LABEL_LIMIT)),
        "hint": _plain(truncate(field.help, HINT_LIMIT)),
        "optional": not required_here(field, request.answers),
        "element": _element(field, value, ctx, t),
    }
    if field.key == BASIS_KEY:
        block["dispatch_action"] = True
    return block


def _element(field: Field, value: Any, ctx: ParseContext, t: Translator) -> dict[str, Any]:
    options = _options(field, t)
    if options:
        element: dict[str, Any] = {
            "type": "static_select",
            "action_id": INPUT_ACTION,
            "placeholder": _plain(t("Choose…")),
            "options": options,
        }
        current = _as_option_value(value)
        initial = next((o for o in options if o["value"] == current), None)
        if initial is not None:
            element["initial_option"] = initial
        return element
    if field.kind == FieldKind.DATE and not _takes_words(field, ctx):
        element = {"type": "datepicker", "action_id": INPUT_ACTION}
        if isinstance(value, str) and _is_iso_date(value):
            element["initial_date"] = value
        return element
    element = {
        "type": "plain_text_input",
        "action_id": INPUT_ACTION,
        "multiline": field.multiline,
        "placeholder": _plain(truncate(t("For example {example}", example=field.example), 150)),
    }
    if value is not None:
        element["initial_value"] = truncate(field.as_text(value), 3000)
    return element


def _options(field: Field, t: Translator) -> list[dict[str, Any]]:
    if field.kind == FieldKind.YES_NO:
        pairs = [(value, t(label)) for value, label in YES_NO]
    else:
        pairs = [(option.value, option.label) for option in field.options]
    return [
        {"text": _plain(truncate(label, OPTION_TEXT_LIMIT)), "value": value}
        for value, label in pairs[:OPTIONS_LIMIT]
    ]


def _as_option_value(value: Any) -> str | None:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return None if value is None else str(value)


def _takes_words(field: Field, ctx: ParseContext) -> bool:
    """A date that may also be a word (an order that runs indefinitely) is typed, not picked."""
    return not isinstance(validate(field, INDEFINITE, ctx), Rejected)


def _is_iso_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": False}
