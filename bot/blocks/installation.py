"""After approval: the installation record dialog, the review reminder and review dialog, and
what the thread is told about each. Dialogs in the reader's language; thread messages in each
thread language in turn."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from bot import ids
from bot.blocks.bilingual import in_languages, texts
from bot.blocks.dialogs import long_text_input, modal
from bot.blocks.text import Message, button, escape, marking, mention, mention_any, section
from flows.i18n import DEFAULT_LANGUAGE, N_, Translator, joined, translator
from flows.installation import OUTCOMES, REVIEW_OUTCOMES
from flows.models import MonitoringRequest
from flows.parsers import format_date
from flows.request_machine import Stage

Languages = Sequence[str]
ONE: Languages = (DEFAULT_LANGUAGE,)
#: how each stored outcome (flows.installation) reads; the stored values never change
OUTCOME_LABELS = {
    Stage.installed: N_("Installed"),
    "failed": N_("Installation failed"),
    "device_not_produced": N_("The device was not produced"),
    "person_refused": N_("The person refused"),
    "not_needed": N_("No longer needed"),
}
REVIEW_LABELS = {"continue": N_("Monitoring continues"), Stage.removed: N_("Monitoring removed")}


def _options(choices: dict[str, str], t: Translator) -> list[dict[str, Any]]:
    """The labels translated; the values (what is stored) as they are."""
    labels = {**OUTCOME_LABELS, **REVIEW_LABELS}
    return [
        {
            "text": {"type": "plain_text", "text": t(labels[value]) if value in labels else label},
            "value": value,
        }
        for value, label in choices.items()
    ]


def _modal(
    request: MonitoringRequest,
    channel: str,
    thread_ts: str,
    t: Translator,
    callback_id: str,
    title: str,
    intro: str,
    inputs: list[dict[str, Any]],
) -> dict[str, Any]:
    """A record dialog about `request`, opened from its thread in `channel`."""
    blocks = [section(f"{marking(t)}\n{intro}", f"{callback_id}_intro"), *inputs]
    metadata = {"id": request.request_id, "channel": channel, "thread": thread_ts}
    return modal(title, blocks, t("Cancel"), t("Record"), callback_id, metadata)


def _input(
    block_id: str, label: str, element: dict[str, Any], optional: bool = False
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": label},
        "element": element,
    }
    if optional:
        block["optional"] = True
    return block


def _notes(block_id: str, action_id: str, t: Translator) -> dict[str, Any]:
    return long_text_input(block_id, action_id, t("Notes (optional)"), optional=True)


def _outcomes(
    block_id: str, action_id: str, choices: dict[str, str], t: Translator
) -> dict[str, Any]:
    element = {"type": "radio_buttons", "action_id": action_id, "options": _options(choices, t)}
    return _input(block_id, t("Outcome"), element)


def _day(
    block_id: str, action_id: str, label: str, initial: date, optional: bool = False
) -> dict[str, Any]:
    element = {"type": "datepicker", "action_id": action_id, "initial_date": initial.isoformat()}
    return _input(block_id, label, element, optional=optional)


def installation_modal(
    request: MonitoringRequest,
    today: date,
    channel: str,
    thread_ts: str,
    language: str = DEFAULT_LANGUAGE,
) -> dict[str, Any]:
    t = translator(language)
    intro = t(
        "*{request}*: what happened? This is recorded in the audit trail.",
        request=request.request_id,
    )
    return _modal(
        request,
        channel,
        thread_ts,
        t,
        ids.INSTALLATION_VIEW,
        t.pgettext("title", "Record installation"),
        intro,
        [
            _outcomes(ids.INSTALL_OUTCOME_BLOCK, ids.INSTALL_OUTCOME_ACTION, OUTCOMES, t),
            _day(ids.INSTALL_DATE_BLOCK, ids.INSTALL_DATE_ACTION, t("On what day?"), today),
            _notes(ids.INSTALL_NOTES_BLOCK, ids.INSTALL_NOTES_ACTION, t),
        ],
    )


def _outcome(outcome: str, t: Translator) -> str:
    return t(OUTCOME_LABELS[outcome]) if outcome in OUTCOME_LABELS else outcome


def installation_notice(request: MonitoringRequest, by: str, languages: Languages = ONE) -> Message:
    outcome = request.installation_outcome or Stage.installed

    def render(t: Translator) -> list[dict[str, Any]]:
        on = (
            format_date(request.installation_date, t.language)
            if request.installation_date
            else t("an earlier day")
        )
        if outcome == Stage.installed:
            text = t(
                ":white_check_mark: {request} installed on {on}, recorded by {who}.",
                request=request.request_id,
                on=on,
                who=mention(by),
            )
            if request.review_date:
                text += " " + t(
                    "Review due {date}.", date=format_date(request.review_date, t.language)
                )
        else:
            text = t(
                ":no_entry_sign: {request} was not installed: {outcome} ({on}), recorded by "
                "{who}. Nothing further will happen.",
                request=request.request_id,
                outcome=_outcome(outcome, t).lower(),
                on=on,
                who=mention(by),
            )
        if request.installation_notes:
            text += "\n" + t("_Notes:_ {notes}", notes=escape(request.installation_notes))
        return [section(text, ids.INSTALLED_BLOCK)]

    return Message(
        text=texts(languages, lambda t: f"{request.request_id}: {_outcome(outcome, t).lower()}"),
        blocks=in_languages(languages, render),
    )


def review_due(
    request: MonitoringRequest, deciders: tuple[str, ...], languages: Languages = ONE
) -> Message:
    who = " ".join([mention(request.officer_id), *(mention_any(d) for d in deciders)])

    def render(t: Translator) -> list[dict[str, Any]]:
        due = format_date(request.review_date, t.language) if request.review_date else t("today")
        body = t(
            ":mag: {who} {request} is due for review ({due}): is monitoring still necessary and "
            "proportionate? Record the review: it continues with a new review date, or the "
            "software has been removed.",
            who=who,
            request=request.request_id,
            due=due,
        )
        return [section(body, ids.REVIEW_DUE_BLOCK)]

    return Message(
        text=texts(languages, lambda t: t("Review due: {request}", request=request.request_id)),
        blocks=[
            *in_languages(languages, render),
            {
                "type": "actions",
                "block_id": ids.REVIEW_ACTIONS_BLOCK,
                "elements": [
                    button(
                        joined(languages, lambda t: t("Record the review")),
                        ids.REVIEW_CONFIRM,
                        str(request.request_id),
                        "primary",
                    )
                ],
            },
        ],
    )


def review_modal(
    request: MonitoringRequest,
    next_review: date,
    channel: str,
    thread_ts: str,
    language: str = DEFAULT_LANGUAGE,
) -> dict[str, Any]:
    t = translator(language)
    intro = t(
        "*{request}*: the outcome of the review is recorded in the audit trail.",
        request=request.request_id,
    )
    return _modal(
        request,
        channel,
        thread_ts,
        t,
        ids.REVIEW_VIEW,
        t("Record review"),
        intro,
        [
            _outcomes(ids.REVIEW_OUTCOME_BLOCK, ids.REVIEW_OUTCOME_ACTION, REVIEW_OUTCOMES, t),
            _day(
                ids.REVIEW_NEXT_BLOCK,
                ids.REVIEW_NEXT_ACTION,
                t("If it continues: next review by"),
                next_review,
                optional=True,
            ),
            _notes(ids.REVIEW_NOTES_BLOCK, ids.REVIEW_NOTES_ACTION, t),
        ],
    )


def reviewed_notice(request: MonitoringRequest, by: str, languages: Languages = ONE) -> Message:
    def render(t: Translator) -> list[dict[str, Any]]:
        if request.state == Stage.removed:
            text = t(
                ":wastebasket: {request}: monitoring removed, recorded by {who}.",
                request=request.request_id,
                who=mention(by),
            )
        else:
            due = format_date(request.review_date, t.language) if request.review_date else "—"
            text = t(
                ":repeat: {request}: monitoring continues, reviewed by {who}. Next review due "
                "{due}.",
                request=request.request_id,
                who=mention(by),
                due=due,
            )
        return [section(text, ids.REVIEWED_BLOCK)]

    return Message(
        text=texts(languages, lambda t: t("{request} reviewed", request=request.request_id)),
        blocks=in_languages(languages, render),
    )
