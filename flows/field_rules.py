"""Reusable building blocks for catalogue questions: when a field applies, parsers and date rules."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from flows import parsers
from flows.config import FlowConfig
from flows.errors import InvalidAnswer
from flows.fields import Applies, Field, FieldKind, Option, ParseContext, Parser, stored_date

IMEI_DEVICE_TYPES = frozenset({"phone", "tablet"})
INDEFINITE = "indefinite"
VISOR_EXAMPLE = "NOM/1234567"
#: Slack button texts are cut off beyond this
MAX_LABEL_LENGTH = 75


def in_branch(branch: str) -> Applies:
    """Applies only once the legal basis `branch` has been chosen."""

    def applies(answers: Mapping[str, Any]) -> bool:
        return answers.get("legal_basis") == branch

    return applies


def imei_applies(answers: Mapping[str, Any]) -> bool:
    return answers.get("device_type") in IMEI_DEVICE_TYPES


def serial_applies(answers: Mapping[str, Any]) -> bool:
    """Asked when no IMEI was given: a device without one, or a tablet answered `none`.

    Unknown until device_type (and, for a tablet, device_imei) is answered, so it does not
    apply before then; that keeps the question count from announcing a question that may vanish.
    """
    device_type = answers.get("device_type")
    if device_type is None:
        return False
    if device_type in IMEI_DEVICE_TYPES:
        return answers.get("device_imei") == []
    return True


def skippable(parser: Parser) -> Parser:
    """`skip` gives None, as the conversation stores it, so as_text(None) parses back."""

    def parse(text: str, ctx: ParseContext) -> Any:
        if text.strip().lower() == "skip":
            return None
        return parser(text, ctx)

    return parse


def choice(options: tuple[Option, ...]) -> Parser:
    return lambda text, _ctx: parsers.parse_choice(text, options)


def text(min_length: int, max_length: int, example: str, multiline: bool = False) -> Parser:
    return lambda value, _ctx: parsers.parse_text(value, min_length, max_length, example, multiline)


DateRule = Callable[[date, ParseContext], date]


def date_parser(*rules: DateRule) -> Parser:
    def parse(value: str, ctx: ParseContext) -> str:
        day = parsers.parse_date(value, ctx.today)
        for rule in rules:
            day = rule(day, ctx)
        return day.isoformat()

    return parse


def not_future(what: str) -> DateRule:
    return lambda day, ctx: parsers.require_not_future(day, ctx.today, what)


def after_today(reason: str) -> DateRule:
    return lambda day, ctx: parsers.require_after_today(day, ctx.today, reason)


def not_before_answer(key: str, reason: str) -> DateRule:
    def rule(day: date, ctx: ParseContext) -> date:
        earliest = stored_date(ctx.answers, key)
        return day if earliest is None else parsers.require_not_before(day, earliest, reason)

    return rule


def required_yes(refusal: str) -> Parser:
    """A yes/no attestation where `no` cannot go on: the refusal says what to do instead."""

    def parse(value: str, _ctx: ParseContext) -> bool:
        if not parsers.parse_yes_no(value):
            raise InvalidAnswer(refusal)
        return True

    return parse


def parse_order_expiry(value: str, ctx: ParseContext) -> str:
    if value.strip().lower() == INDEFINITE:
        return INDEFINITE
    try:
        day = parsers.parse_date(value, ctx.today)
    except InvalidAnswer as refusal:
        raise InvalidAnswer(
            f"{refusal.message} If the order has no end date, type indefinite."
        ) from None
    parsers.require_after_today(
        day,
        ctx.today,
        "an order that has expired cannot be the basis for monitoring. Check the expiry date "
        "on the order; if it has no end date, type indefinite.",
    )
    return day.isoformat()


def parse_device_imei(value: str, ctx: ParseContext) -> list[str]:
    # Only a tablet may have no IMEI (Wi-Fi-only models); every phone has one.
    return parsers.parse_imeis(value, allow_none=ctx.answers.get("device_type") == "tablet")


def parse_visor_ref(value: str, ctx: ParseContext) -> str:
    return parsers.parse_reference(
        value, ctx.config.visor_pattern, "ViSOR/MAPPS nominal reference", visor_example(ctx.config)
    )


def visor_example(config: FlowConfig) -> str:
    # The force may configure its own format; never show an example that its pattern refuses.
    if re.fullmatch(config.visor_pattern, VISOR_EXAMPLE):
        return VISOR_EXAMPLE
    return "the reference exactly as shown on the ViSOR nominal record"


def check_options(key: str, options: tuple[Option, ...]) -> None:
    """Options must be told apart however they are typed, and fit on a Slack button."""
    spellings = [parsers.choice_key(o.value) for o in options]
    if len(set(spellings)) != len(spellings):
        raise ValueError(f"{key}: two options have the same value once case and spaces are ignored")
    for option in options:
        if not option.label.strip() or len(option.label) > MAX_LABEL_LENGTH:
            raise ValueError(f"{key}: option label must be 1 to {MAX_LABEL_LENGTH} characters")


def choice_field(
    key: str,
    label: str,
    prompt: str,
    help: str,
    options: tuple[Option, ...],
    branch: str | None = None,
) -> Field:
    check_options(key, options)
    return Field(
        key=key,
        label=label,
        prompt=prompt,
        help=help,
        example=options[0].label,
        kind=FieldKind.CHOICE,
        parser=choice(options),
        options=options,
        branch=branch,
        applies=in_branch(branch) if branch else lambda _a: True,
    )
