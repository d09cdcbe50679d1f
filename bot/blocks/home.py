"""App Home and the request modal opened from it, built with slack_sdk's Block Kit models so
that Slack's limits (text lengths, 100 blocks, 25 buttons a row) are checked as they are built."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot import ids
from bot.blocks.approval import when
from bot.blocks.conversation import flag_lines
from bot.blocks.text import (
    MARKING,
    SECTION_LIMIT,
    escape,
    long_text_blocks,
    mention,
    mention_any,
    shown,
    truncate,
)
from bot.home_service import Home
from flows.fields import Catalogue, FieldKind
from flows.models import AuditEvent, MonitoringRequest
from flows.parsers import format_date
from flows.ports import Page
from flows.request_machine import Stage
from flows.waiting import (
    age_words,
    basis_words,
    flag_words,
    state_words,
    waiting_on,
    waiting_since,
)

#: what a decision's audit event says it was
DECISION_WORDS: dict[str, str] = {
    Stage.approved: "approved",
    Stage.rejected: "rejected",
    Stage.info_requested: "asked for more information",
}
MODAL_BLOCK_LIMIT = 100


def home_view(
    home: Home,
    links: Mapping[str, str],
    deciders: tuple[str, ...],
    now: datetime,
    tz: ZoneInfo,
    command: str,
    language_control: Block | None = None,
) -> dict[str, Any]:
    """The Home tab: the decision queue and recent decisions for a decider, then the person's own
    requests. `links` maps request ids to their cards' permalinks. `language_control` is the
    person's language menu (bot/blocks/language.py), placed last but for the closing hint."""
    blocks: list[Block] = [_section(f"{MARKING}\n*Monitoring requests*", ids.HOME_HEADER_BLOCK)]
    if home.queue is not None:
        blocks += _queue(home.queue, links, now)
        blocks += [DividerBlock(), _section(_decided(home.decided, tz), ids.HOME_DECIDED_BLOCK)]
        blocks.append(_section(_delegations(home), ids.HOME_DELEGATIONS_BLOCK))
        blocks.append(DividerBlock())
    blocks += _mine(home.mine, links, deciders)
    if language_control is not None:
        blocks += [DividerBlock(), language_control]
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"Start a request with `{command}` in your unit's private channel."
                )
            ]
        )
    )
    metadata = {"queue": home.queue.offset if home.queue else 0, "mine": home.mine.offset}
    return View(type="home", blocks=blocks, private_metadata=json.dumps(metadata)).to_dict()


def page_offsets(private_metadata: str | None) -> dict[str, int]:
    """Which page of each list a published Home shows (so paging one keeps the other)."""
    try:
        found = json.loads(private_metadata or "{}")
    except ValueError:
        found = {}
    return {
        name: int(found.get(name) or 0) if isinstance(found, dict) else 0
        for name in ("queue", "mine")
    }


def _queue(page: Page[MonitoringRequest], links: Mapping[str, str], now: datetime) -> list[Block]:
    if not page.items:
        return [
            _section("*Awaiting your decision*\nNothing is waiting for you.", ids.HOME_QUEUE_BLOCK)
        ]
    lines = [_queue_line(r, links, now) for r in page.items]
    title = f"*Awaiting your decision* ({_range(page)}, oldest first)"
    return [
        _section("\n".join([title, *lines]), ids.HOME_QUEUE_BLOCK),
        _actions(page, "queue", ids.HOME_QUEUE_ACTIONS_BLOCK),
    ]


def _queue_line(request: MonitoringRequest, links: Mapping[str, str], now: datetime) -> str:
    flags = flag_words(request.flags)
    return (
        f"• {_linked(request, links)} · {mention(request.officer_id)} · {basis_words(request)}"
        f" · waiting {age_words(now - waiting_since(request))}"
        f" · {':triangular_flag_on_post: ' + escape('; '.join(flags)) if flags else 'no flags'}"
    )


def _decided(decided: list[tuple[str, AuditEvent]], tz: ZoneInfo) -> str:
    if not decided:
        return "*Your last decisions*\nYou have not decided any requests yet."
    lines = [
        f"• *{request_id}* {_decision_words(event)} at {when(event.at, tz)}"
        for request_id, event in decided
    ]
    return "\n".join([f"*Your last {len(decided)} decisions*", *lines])


def _delegations(home: Home) -> str:
    if not home.delegations:
        return "*Delegations in force*\nNobody is deciding on a supervisor's behalf."
    lines = []
    for given in home.delegations:
        delegate = "You" if given.delegate_id == home.user else mention(given.delegate_id)
        delegator = "you" if given.delegator_id == home.user else mention(given.delegator_id)
        lines.append(
            f"• {delegate} may decide on behalf of {delegator} until the end of "
            f"{format_date(given.until)}"
        )
    return "\n".join(["*Delegations in force*", *lines])


def _decision_words(event: AuditEvent) -> str:
    outcome = event.detail.get("outcome")
    if event.action == Stage.info_requested:
        outcome = Stage.info_requested
    return DECISION_WORDS.get(str(outcome), "decided")


def _mine(
    page: Page[MonitoringRequest], links: Mapping[str, str], deciders: tuple[str, ...]
) -> list[Block]:
    if not page.items:
        return [_section("*Your requests*\nYou have no requests.", ids.HOME_MINE_BLOCK)]
    lines = [
        f"• {_linked(r, links)} · {state_words(r.state)} · {waiting_words(r, deciders)}"
        for r in page.items
    ]
    title = f"*Your requests* ({_range(page)}, newest first)"
    return [
        _section("\n".join([title, *lines]), ids.HOME_MINE_BLOCK),
        _actions(page, "mine", ids.HOME_MINE_ACTIONS_BLOCK),
    ]


def waiting_words(request: MonitoringRequest, deciders: tuple[str, ...], you: bool = True) -> str:
    """Who the request waits on, as its officer (`you`) or the channel reads it."""
    who = waiting_on(request)
    if who == "deciders":
        escalated = " (escalated)" if "escalate" in request.nudges else ""
        named = " ".join(mention_any(d) for d in deciders) or "a supervisor"
        return f"waiting on {named}{escalated}"
    if who == "officer":
        return "waiting on you" if you else f"waiting on {mention(request.officer_id)}"
    return "closed"


def _linked(request: MonitoringRequest, links: Mapping[str, str]) -> str:
    link = links.get(str(request.request_id))
    return f"*<{link}|{request.request_id}>*" if link else f"*{request.request_id}*"


def _range(page: Page[MonitoringRequest]) -> str:
    first, last = page.offset + 1, page.offset + len(page.items)
    return f"{first}–{last} of {page.total}"


def _actions(page: Page[MonitoringRequest], name: str, block_id: str) -> ActionsBlock:
    buttons = [
        ButtonElement(
            text=f"View {r.request_id}",
            action_id=ids.home_view_action(str(r.request_id)),
            value=str(r.request_id),
        )
        for r in page.items
    ]
    if page.has_previous:
        buttons.append(
            ButtonElement(
                text="Previous",
                action_id=ids.home_page_action(name, "previous"),
                value=str(max(0, page.offset - page.limit)),
            )
        )
    if page.has_next:
        buttons.append(
            ButtonElement(
                text="Next",
                action_id=ids.home_page_action(name, "next"),
                value=str(page.offset + len(page.items)),
            )
        )
    return ActionsBlock(block_id=block_id, elements=buttons)


def _section(text: str, block_id: str) -> SectionBlock:
    return SectionBlock(
        block_id=block_id, text=MarkdownTextObject(text=truncate(text, SECTION_LIMIT))
    )


# -- the request in full ---------------------------------------------------------------------------


def request_modal(
    request: MonitoringRequest, catalogue: Catalogue, deciders: tuple[str, ...], tz: ZoneInfo
) -> dict[str, Any]:
    """Everything held on a request: where it stands, its flags, each answer, the decision."""
    status = [
        f"{MARKING}",
        f"*{request.request_id}* by {mention(request.officer_id)} · {basis_words(request)}",
        f"*State:* {state_words(request.state)} · {waiting_words(request, deciders, you=False)}",
        f"*Started:* {when(request.created_at, tz)}",
    ]
    if request.submitted_at:
        status.append(f"*Submitted:* {when(request.submitted_at, tz)}")
    if request.decision and request.decided_by:
        status.append(
            f"*Decision:* {DECISION_WORDS.get(request.decision, request.decision)} by "
            f"{mention(request.decided_by)} at {when(request.decided_at, tz)}"
        )
        if request.decision_reason:
            status.append(f"*Reason:* {escape(request.decision_reason)}")
    flags = flag_lines(request.flags)
    status.append("\n".join(flags) if flags else "No flags.")
    blocks: list[dict[str, Any]] = [_section("\n".join(status), ids.VIEW_STATUS_BLOCK).to_dict()]
    blocks += _answer_blocks(request, catalogue)
    if len(blocks) > MODAL_BLOCK_LIMIT:
        blocks = blocks[: MODAL_BLOCK_LIMIT - 1]
        blocks.append(
            _section(
                "_More is held than a dialog can show: see the thread._", "view_more"
            ).to_dict()
        )
    return View(
        type="modal",
        callback_id=ids.REQUEST_VIEW,
        title=truncate(f"Request {request.request_id}", 24),
        close="Close",
        blocks=blocks,
    ).to_dict()


def _answer_blocks(request: MonitoringRequest, catalogue: Catalogue) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    lines: list[str] = []
    long_texts: list[dict[str, Any]] = []

    def flush() -> None:
        if lines:
            block_id = f"{ids.VIEW_ANSWERS_BLOCK}:{len(blocks)}"
            blocks.append(_section("\n".join(lines), block_id).to_dict())
            lines.clear()

    for field in catalogue.applicable(request.answers):
        if field.key not in request.answers:
            continue
        value = request.answers[field.key]
        text = shown(field, value)
        if field.kind == FieldKind.TEXT and len(text) > 300:
            long_texts += long_text_blocks(field.label, str(value), ids.view_full_block(field.key))
            text = "_in full below_"
        line = f"*{escape(field.label)}:* {text}"
        if sum(len(x) + 1 for x in lines) + len(line) > SECTION_LIMIT - 100:
            flush()
        lines.append(line)
    flush()
    return blocks + long_texts


def refusal_modal(text: str) -> dict[str, Any]:
    """Home has no channel for an ephemeral message: a refusal there is a small dialog."""
    return View(
        type="modal",
        callback_id=ids.REQUEST_VIEW,
        title="Monitoring request",
        close="Close",
        blocks=[_section(text, ids.VIEW_STATUS_BLOCK)],
    ).to_dict()
