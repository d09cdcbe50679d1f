"""The request's parent message in the channel: a dashboard line redrawn on every state change,
so that a channel of requests reads at a glance (id, officer, basis, state, whose move, flags).
In each thread language in turn."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot import ids
from bot.blocks.bilingual import in_languages, texts
from bot.blocks.form import form_actions
from bot.blocks.home import waiting_words
from bot.blocks.text import Message, context, escape, marking, mention, section
from flows.flags import describe_flags
from flows.i18n import DEFAULT_LANGUAGE, Translator
from flows.models import MonitoringRequest
from flows.request_machine import Stage
from flows.waiting import basis_words, state_words


def parent_message(
    request: MonitoringRequest,
    deciders: tuple[str, ...],
    languages: Sequence[str] = (DEFAULT_LANGUAGE,),
) -> Message:
    collecting = request.state == Stage.collecting

    def restarted(t: Translator) -> str:
        if not request.restarted_from:
            return ""
        return t(", restarted from {old} with its answers", old=request.restarted_from)

    def render(t: Translator) -> list[dict[str, Any]]:
        title = t(
            "*{request}* · monitoring software request by {officer}{restarted}",
            request=request.request_id,
            officer=mention(request.officer_id),
            restarted=restarted(t),
        )
        where = t(
            "*Basis:* {basis} · *State:* {state} · {waiting}",
            basis=basis_words(request, t),
            state=state_words(request.state, t),
            waiting=waiting_words(request, deciders, you=False, t=t),
        )
        flags = describe_flags(request.flags, t.language)
        flagged = (
            "\n".join(f":triangular_flag_on_post: {escape(flag)}" for flag in flags)
            if flags
            else t("No flags.")
        )
        follows = t("The questions and the supervisor's decision follow in this thread.")
        if collecting:
            follows += " " + t("Quicker with a form? Fill it in here; you can mix the two.")
        return [
            section(
                f"{marking(t)}\n:clipboard: {title}\n{where}\n{flagged}", ids.REQUEST_HEADER_BLOCK
            ),
            context(follows),
        ]

    def summary(t: Translator) -> str:
        return t(
            "Monitoring software request {request} by {officer}{restarted}: {state}",
            request=request.request_id,
            officer=mention(request.officer_id),
            restarted=restarted(t),
            state=state_words(request.state, t),
        )

    blocks = in_languages(languages, render)
    if collecting:
        blocks.append(form_actions(request))
    fallback = texts(languages, lambda t: t("OFFICIAL-SENSITIVE: {summary}", summary=summary(t)))
    return Message(text=fallback, blocks=blocks)
