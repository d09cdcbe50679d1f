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
from bot.blocks.card import worded_in
from bot.blocks.conversation import flag_lines
from bot.blocks.text import (
    SECTION_LIMIT,
    escape,
    long_text_blocks,
    marking,
    mention,
    mention_any,
    shown,
    truncate,
)
from bot.home_service import Home
from flows.fields import Catalogue, FieldKind
from flows.i18n import DEFAULT_LANGUAGE, N_, Translator, translator
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

#: what a decision's audit event says it was (the stored outcome stays the key)
DECISION_WORDS: dict[str, str] = {
    Stage.approved: N_("approved"),
    Stage.rejected: N_("rejected"),
    Stage.info_requested: N_("asked for more information"),
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
    language: str = DEFAULT_LANGUAGE,
) -> dict[str, Any]:
    """The Home tab: the decision queue and recent decisions for a decider, then the person's own
    requests. `links` maps request ids to their cards' permalinks. `language_control` is the
    person's language menu (bot/blocks/language.py), placed last but for the closing hint.
    In the viewer's `language`."""
    t = translator(language)
    blocks: list[Block] = [
        _section(marking(t) + "\n" + t("*Monitoring requests*"), ids.HOME_HEADER_BLOCK)
    ]
    if home.queue is not None:
        blocks += _queue(home.queue, links, now, t)
        blocks += [
            DividerBlock(),
            _section(_decided(home.decided, tz, t), ids.HOME_DECIDED_BLOCK),
        ]
        blocks.append(_section(_delegations(home, t), ids.HOME_DELEGATIONS_BLOCK))
        blocks.append(DividerBlock())
    blocks += _mine(home.mine, links, deciders, t)
    if language_control is not None:
        blocks += [DividerBlock(), language_control]
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=t(
                        "Start a request with `{command}` in your unit's private channel.",
                        command=command,
                    )
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


def _queue(
    page: Page[MonitoringRequest], links: Mapping[str, str], now: datetime, t: Translator
) -> list[Block]:
    if not page.items:
        return [
            _section(
                t("*Awaiting your decision*") + "\n" + t("Nothing is waiting for you."),
                ids.HOME_QUEUE_BLOCK,
            )
        ]
    lines = [_queue_line(r, links, now, t) for r in page.items]
    title = t("*Awaiting your decision* ({range}, oldest first)", range=_range(page, t))
    return [
        _section("\n".join([title, *lines]), ids.HOME_QUEUE_BLOCK),
        _actions(page, "queue", ids.HOME_QUEUE_ACTIONS_BLOCK, t),
    ]


def _queue_line(
    request: MonitoringRequest, links: Mapping[str, str], now: datetime, t: Translator
) -> str:
    flags = flag_words(request.flags, t)
    flagged = ":triangular_flag_on_post: " + escape("; ".join(flags)) if flags else t("no flags")
    return t(
        "• {request} · {officer} · {basis} · waiting {age} · {flags}",
        request=_linked(request, links),
        officer=mention(request.officer_id),
        basis=basis_words(request, t),
        age=age_words(now - waiting_since(request), t),
        flags=flagged,
    )


def _decided(decided: list[tuple[str, AuditEvent]], tz: ZoneInfo, t: Translator) -> str:
    if not decided:
        return t("*Your last decisions*") + "\n" + t("You have not decided any requests yet.")
    lines = [
        t(
            "• *{request}* {decision} at {when}",
            request=request_id,
            decision=_decision_words(event, t),
            when=when(event.at, tz, t),
        )
        for request_id, event in decided
    ]
    title = t.ngettext("*Your last decision*", "*Your last {n} decisions*", len(decided))
    return "\n".join([title, *lines])


def _delegations(home: Home, t: Translator) -> str:
    title = t("*Delegations in force*")
    if not home.delegations:
        return title + "\n" + t("Nobody is deciding on a supervisor's behalf.")
    lines = []
    for given in home.delegations:
        until = format_date(given.until, t.language)
        if given.delegate_id == home.user:
            line = t(
                "• You may decide on behalf of {delegator} until the end of {until}",
                delegator=mention(given.delegator_id),
                until=until,
            )
        elif given.delegator_id == home.user:
            line = t(
                "• {delegate} may decide on behalf of you until the end of {until}",
                delegate=mention(given.delegate_id),
                until=until,
            )
        else:
            line = t(
                "• {delegate} may decide on behalf of {delegator} until the end of {until}",
                delegate=mention(given.delegate_id),
                delegator=mention(given.delegator_id),
                until=until,
            )
        lines.append(line)
    return "\n".join([title, *lines])


def _decision_words(event: AuditEvent, t: Translator) -> str:
    outcome = event.detail.get("outcome")
    if event.action == Stage.info_requested:
        outcome = Stage.info_requested
    words = DECISION_WORDS.get(str(outcome))
    return t(words) if words else t("decided")


def _mine(
    page: Page[MonitoringRequest],
    links: Mapping[str, str],
    deciders: tuple[str, ...],
    t: Translator,
) -> list[Block]:
    if not page.items:
        return [
            _section(t("*Your requests*") + "\n" + t("You have no requests."), ids.HOME_MINE_BLOCK)
        ]
    lines = [
        f"• {_linked(r, links)} · {state_words(r.state, t)} · {waiting_words(r, deciders, t=t)}"
        for r in page.items
    ]
    title = t("*Your requests* ({range}, newest first)", range=_range(page, t))
    return [
        _section("\n".join([title, *lines]), ids.HOME_MINE_BLOCK),
        _actions(page, "mine", ids.HOME_MINE_ACTIONS_BLOCK, t),
    ]


def waiting_words(
    request: MonitoringRequest,
    deciders: tuple[str, ...],
    you: bool = True,
    t: Translator | None = None,
) -> str:
    """Who the request waits on, as its officer (`you`) or the channel reads it."""
    t = t or translator(DEFAULT_LANGUAGE)
    who = waiting_on(request)
    if who == "deciders":
        named = " ".join(mention_any(d) for d in deciders) or t("a supervisor")
        if "escalate" in request.nudges:
            return t("waiting on {who} (escalated)", who=named)
        return t("waiting on {who}", who=named)
    if who == "officer":
        return (
            t("waiting on you") if you else t("waiting on {who}", who=mention(request.officer_id))
        )
    return t("closed")


def _linked(request: MonitoringRequest, links: Mapping[str, str]) -> str:
    link = links.get(str(request.request_id))
    return f"*<{link}|{request.request_id}>*" if link else f"*{request.request_id}*"


def _range(page: Page[MonitoringRequest], t: Translator) -> str:
    first, last = page.offset + 1, page.offset + len(page.items)
    return t("{first}–{last} of {total}", first=first, last=last, total=page.total)


def _actions(
    page: Page[MonitoringRequest], name: str, block_id: str, t: Translator
) -> ActionsBlock:
    buttons = [
        ButtonElement(
            text=t("View {request}", request=r.request_id),
            action_id=ids.home_view_action(str(r.request_id)),
            value=str(r.request_id),
        )
        for r in page.items
    ]
    if page.has_previous:
        buttons.append(
            ButtonElement(
                text=t("Previous"),
                action_id=ids.home_page_action(name, "previous"),
                value=str(max(0, page.offset - page.limit)),
            )
        )
    if page.has_next:
        buttons.append(
            ButtonElement(
                text=t("Next"),
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
    request: MonitoringRequest,
    catalogue: Catalogue,
    deciders: tuple[str, ...],
    tz: ZoneInfo,
    language: str = DEFAULT_LANGUAGE,
) -> dict[str, Any]:
    """Everything held on a request: where it stands, its flags, each answer, the decision.
    In the viewer's `language`."""
    t = translator(language)
    catalogue = worded_in(catalogue, t.language)
    status = [
        marking(t),
        t(
            "*{request}* by {officer} · {basis}",
            request=request.request_id,
            officer=mention(request.officer_id),
            basis=basis_words(request, t),
        ),
        t(
            "*State:* {state} · {waiting}",
            state=state_words(request.state, t),
            waiting=waiting_words(request, deciders, you=False, t=t),
        ),
        t("*Started:* {when}", when=when(request.created_at, tz, t)),
    ]
    if request.submitted_at:
        status.append(t("*Submitted:* {when}", when=when(request.submitted_at, tz, t)))
    if request.decision and request.decided_by:
        words = DECISION_WORDS.get(request.decision)
        status.append(
            t(
                "*Decision:* {decision} by {who} at {when}",
                decision=t(words) if words else request.decision,
                who=mention(request.decided_by),
                when=when(request.decided_at, tz, t),
            )
        )
        if request.decision_reason:
            status.append(t("*Reason:* {reason}", reason=escape(request.decision_reason)))
    flags = flag_lines(request.flags, t)
    status.append("\n".join(flags) if flags else t("No flags."))
    blocks: list[dict[str, Any]] = [_section("\n".join(status), ids.VIEW_STATUS_BLOCK).to_dict()]
    blocks += _answer_blocks(request, catalogue, t)
    if len(blocks) > MODAL_BLOCK_LIMIT:
        blocks = blocks[: MODAL_BLOCK_LIMIT - 1]
        blocks.append(
            _section(
                t("_More is held than a dialog can show: see the thread._"), "view_more"
            ).to_dict()
        )
    return View(
        type="modal",
        callback_id=ids.REQUEST_VIEW,
        title=truncate(t("Request {request}", request=request.request_id), 24),
        close=t("Close"),
        blocks=blocks,
    ).to_dict()


def _answer_blocks(
    request: MonitoringRequest, catalogue: Catalogue, t: Translator
) -> list[dict[str, Any]]:
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
            text = t("_in full below_")
        line = f"*{escape(field.label)}:* {text}"
        if sum(len(x) + 1 for x in lines) + len(line) > SECTION_LIMIT - 100:
            flush()
        lines.append(line)
    flush()
    return blocks + long_texts


def refusal_modal(text: str, language: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
    """Home has no channel for an ephemeral message: a refusal there is a small dialog."""
    t = translator(language)
    return View(
        type="modal",
        callback_id=ids.REQUEST_VIEW,
        title=t("Monitoring request"),
        close=t("Close"),
        blocks=[_section(text, ids.VIEW_STATUS_BLOCK)],
    ).to_dict()
