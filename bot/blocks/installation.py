"""After approval: the installation record dialog, the review reminder and review dialog, and
what the thread is told about each."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from bot import ids
from bot.blocks.text import MARKING, Message, button, escape, mention, mention_any, section
from flows.installation import OUTCOMES, REVIEW_OUTCOMES
from flows.models import MonitoringRequest
from flows.parsers import format_date
from flows.request_machine import Stage


def _options(choices: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {"text": {"type": "plain_text", "text": label}, "value": value}
        for value, label in choices.items()
    ]


def _modal(
    callback_id: str, title: str, intro: str, metadata: dict[str, Any], inputs: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": json.dumps(metadata),
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": "Record"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [section(f"{MARKING}\n{intro}", f"{callback_id}_intro"), *inputs],
    }


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


def _notes(block_id: str, action_id: str) -> dict[str, Any]:
    element = {
        "type": "plain_text_input",
        "action_id": action_id,
        "multiline": True,
        "max_length": 2000,
    }
    return _input(block_id, "Notes (optional)", element, optional=True)


def installation_modal(
    request: MonitoringRequest, today: date, channel: str, thread_ts: str
) -> dict[str, Any]:
    metadata = {"id": request.request_id, "channel": channel, "thread": thread_ts}
    intro = f"*{request.request_id}*: what happened? This is recorded in the audit trail."
    return _modal(
        ids.INSTALLATION_VIEW,
        "Record installation",
        intro,
        metadata,
        [
            _input(
                ids.INSTALL_OUTCOME_BLOCK,
                "Outcome",
                {
                    "type": "radio_buttons",
                    "action_id": ids.INSTALL_OUTCOME_ACTION,
                    "options": _options(OUTCOMES),
                },
            ),
            _input(
                ids.INSTALL_DATE_BLOCK,
                "On what day?",
                {
                    "type": "datepicker",
                    "action_id": ids.INSTALL_DATE_ACTION,
                    "initial_date": today.isoformat(),
                },
            ),
            _notes(ids.INSTALL_NOTES_BLOCK, ids.INSTALL_NOTES_ACTION),
        ],
    )


def installation_notice(request: MonitoringRequest, by: str) -> Message:
    outcome = request.installation_outcome or Stage.installed
    on = format_date(request.installation_date) if request.installation_date else "an earlier day"
    if outcome == Stage.installed:
        text = (
            f":white_check_mark: {request.request_id} installed on {on}, recorded by {mention(by)}."
        )
        if request.review_date:
            text += f" Review due {format_date(request.review_date)}."
    else:
        text = (
            f":no_entry_sign: {request.request_id} was not installed: "
            f"{OUTCOMES[outcome].lower()} ({on}), recorded by {mention(by)}. Nothing further "
            "will happen."
        )
    if request.installation_notes:
        text += f"\n_Notes:_ {escape(request.installation_notes)}"
    return Message(
        text=f"{request.request_id}: {OUTCOMES.get(outcome, outcome).lower()}",
        blocks=[section(text, ids.INSTALLED_BLOCK)],
    )


def review_due(request: MonitoringRequest, deciders: tuple[str, ...]) -> Message:
    who = " ".join([mention(request.officer_id), *(mention_any(d) for d in deciders)])
    due = format_date(request.review_date) if request.review_date else "today"
    body = (
        f":mag: {who} {request.request_id} is due for review ({due}): is monitoring still "
        "necessary and proportionate? Record the review: it continues with a new review date, "
        "or the software has been removed."
    )
    return Message(
        text=f"Review due: {request.request_id}",
        blocks=[
            section(body, ids.REVIEW_DUE_BLOCK),
            {
                "type": "actions",
                "block_id": ids.REVIEW_ACTIONS_BLOCK,
                "elements": [
                    button(
                        "Record the review", ids.REVIEW_CONFIRM, str(request.request_id), "primary"
                    )
                ],
            },
        ],
    )


def review_modal(
    request: MonitoringRequest, next_review: date, channel: str, thread_ts: str
) -> dict[str, Any]:
    metadata = {"id": request.request_id, "channel": channel, "thread": thread_ts}
    intro = f"*{request.request_id}*: the outcome of the review is recorded in the audit trail."
    return _modal(
        ids.REVIEW_VIEW,
        "Record review",
        intro,
        metadata,
        [
            _input(
                ids.REVIEW_OUTCOME_BLOCK,
                "Outcome",
                {
                    "type": "radio_buttons",
                    "action_id": ids.REVIEW_OUTCOME_ACTION,
                    "options": _options(REVIEW_OUTCOMES),
                },
            ),
            _input(
                ids.REVIEW_NEXT_BLOCK,
                "If it continues: next review by",
                {
                    "type": "datepicker",
                    "action_id": ids.REVIEW_NEXT_ACTION,
                    "initial_date": next_review.isoformat(),
                },
                optional=True,
            ),
            _notes(ids.REVIEW_NOTES_BLOCK, ids.REVIEW_NOTES_ACTION),
        ],
    )


def reviewed_notice(request: MonitoringRequest, by: str) -> Message:
    if request.state == Stage.removed:
        text = f":wastebasket: {request.request_id}: monitoring removed, recorded by {mention(by)}."
    else:
        due = format_date(request.review_date) if request.review_date else "—"
        text = (
            f":repeat: {request.request_id}: monitoring continues, reviewed by {mention(by)}. "
            f"Next review due {due}."
        )
    return Message(
        text=f"{request.request_id} reviewed", blocks=[section(text, ids.REVIEWED_BLOCK)]
    )
