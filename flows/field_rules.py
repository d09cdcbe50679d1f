"""Reusable building blocks for catalogue questions: when a field applies, parsers and date rules."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from flows import parsers, words
from flows.config import FlowConfig
from flows.errors import InvalidAnswer
from flows.fields import Field, FieldKind, Option, ParseContext, Parser, stored_date
from flows.i18n import N_, Translator, translator

IMEI_DEVICE_TYPES = frozenset({"phone", "tablet"})
INDEFINITE = "indefinite"
VISOR_EXAMPLE = "NOM/1234567"
#: Slack button texts are cut off beyond this
MAX_LABEL_LENGTH = 75


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


def others_use_device(answers: Mapping[str, Any]) -> bool:
    """Someone besides the person owns or uses the device: their privacy is affected too."""
    ownership = answers.get("device_ownership")
    return ownership is not None and ownership != "subject"


def skippable(parser: Parser) -> Parser:
    """`skip` (`hepgor`) gives None, as the conversation stores it, so as_text(None) parses
    back."""

    def parse(text: str, ctx: ParseContext) -> Any:
        if words.is_keyword(text, "skip"):
            return None
        return parser(text, ctx)

    return parse


def refusals(ctx: ParseContext) -> Translator:
    """The translator a parser's refusals are worded by: the conversation's language."""
    return translator(ctx.language)


def choice(options: tuple[Option, ...]) -> Parser:
    return lambda text, ctx: parsers.parse_choice(text, options, t=refusals(ctx))


def text(min_length: int, max_length: int, example: str, multiline: bool = False) -> Parser:
    return lambda value, ctx: parsers.parse_text(
        value, min_length, max_length, example, multiline, refusals(ctx)
    )


DateRule = Callable[[date, ParseContext], date]


def date_parser(*rules: DateRule) -> Parser:
    def parse(value: str, ctx: ParseContext) -> str:
        day = parsers.parse_date(value, ctx.today, refusals(ctx))
        for rule in rules:
            day = rule(day, ctx)
        return day.isoformat()

    return parse


# `what` and `reason` are msgids (N_), worded in the conversation's language when refused.


def not_future(what: str) -> DateRule:
    return lambda day, ctx: parsers.require_not_future(day, ctx.today, what, refusals(ctx))


def after_today(reason: str) -> DateRule:
    return lambda day, ctx: parsers.require_after_today(day, ctx.today, reason, refusals(ctx))


def not_before_answer(key: str, reason: str) -> DateRule:
    def rule(day: date, ctx: ParseContext) -> date:
        earliest = stored_date(ctx.answers, key)
        if earliest is None:
            return day
        return parsers.require_not_before(day, earliest, reason, refusals(ctx))

    return rule


def required_yes(refusal: str) -> Parser:
    """A yes/no attestation where `no` cannot go on: the refusal (a msgid) says what to do
    instead."""

    def parse(value: str, ctx: ParseContext) -> bool:
        if not parse_yes_no(value, ctx):
            raise InvalidAnswer(refusals(ctx)(refusal))
        return True

    return parse


def parse_order_expiry(value: str, ctx: ParseContext) -> str:
    if words.is_keyword(value, INDEFINITE):
        return INDEFINITE
    t = refusals(ctx)
    try:
        day = parsers.parse_date(value, ctx.today, t)
    except InvalidAnswer as refusal:
        raise InvalidAnswer(
            t(
                "{refusal} If the order has no end date, type indefinite.",
                refusal=refusal.message,
            )
        ) from None
    parsers.require_after_today(
        day,
        ctx.today,
        N_(
            "an order that has expired cannot be the basis for monitoring. Check the expiry "
            "date on the order; if it has no end date, type indefinite."
        ),
        t,
    )
    return day.isoformat()


def parse_device_imei(value: str, ctx: ParseContext) -> list[str]:
    # Only a tablet may have no IMEI (Wi-Fi-only models); every phone has one.
    return parsers.parse_imeis(
        value, allow_none=ctx.answers.get("device_type") == "tablet", t=refusals(ctx)
    )


UNKNOWN = "unknown"
UNKNOWN_SPELLINGS = frozenset(words.spelling_key(s) for s in words.KEYWORDS[UNKNOWN])


def parse_device_os(value: str, ctx: ParseContext) -> str:
    """The operating system, or `unknown` when the officer cannot tell yet."""
    if words.is_keyword(value, UNKNOWN):
        return UNKNOWN
    t = refusals(ctx)
    return parsers.parse_text(value, 2, 60, t("Android 14"), t=t)


def parse_visor_ref(value: str, ctx: ParseContext) -> str:
    t = refusals(ctx)
    return parsers.parse_reference(
        value,
        ctx.config.visor_pattern,
        N_("ViSOR/MAPPS nominal reference"),
        visor_example(ctx.config, t),
        t,
    )


def visor_example(config: FlowConfig, t: Translator | None = None) -> str:
    # The force may configure its own format; never show an example that its pattern refuses.
    if re.fullmatch(config.visor_pattern, VISOR_EXAMPLE):
        return VISOR_EXAMPLE
    t = t or translator(None)
    return t("the reference exactly as shown on the ViSOR nominal record")


def check_options(key: str, options: tuple[Option, ...]) -> None:
    """Options must be told apart however they are typed, and fit on a Slack button."""
    seen: dict[str, str] = {}
    for option in options:
        spellings = {parsers.choice_key(option.value), parsers.choice_key(option.label)}
        spellings |= {parsers.choice_key(s) for s in option.synonyms}
        for spelling in spellings:
            if seen.setdefault(spelling, option.value) != option.value:
                raise ValueError(
                    f"{key}: two options have the same value or spelling once case and spaces "
                    f"are ignored ({spelling!r})"
                )
    for position, option in enumerate(options, start=1):
        number_means = seen.get(str(position))
        if number_means is not None and number_means != options[position - 1].value:
            raise ValueError(f"{key}: {position} is an option's number and another's spelling")
        if not option.label.strip() or len(option.label) > MAX_LABEL_LENGTH:
            raise ValueError(f"{key}: option label must be 1 to {MAX_LABEL_LENGTH} characters")


def choice_field(
    key: str,
    label: str,
    prompt: str,
    help: str,
    options: tuple[Option, ...],
    branch: str | None = None,
    section: str = "person",
    t: Translator | None = None,
    translate_labels: bool = True,
    **extra: Any,
) -> Field:
    """A choice question in `t`'s language (its options' labels marked with N_ where they are
    defined). Whatever the language, every option may be typed by its English label, its Welsh
    label and the synonyms of both (flows.words.CHOICES_CY)."""
    t = t or translator(None)
    options = words.with_welsh(key, options)
    if translate_labels:
        options = tuple(
            Option(o.value, t(o.label), (o.label, *o.synonyms)) if t(o.label) != o.label else o
            for o in options
        )
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
        section=section,
        **extra,
    )


YES = Option(
    "yes", N_("Yes"), ("y", "yeah", "yep", "yup", "aye", "correct", "true", "ok", "confirmed")
)
NO = Option("no", N_("No"), ("n", "nope", "nah", "no way", "false", "not yet", "negative"))
YES_NO_OPTIONS = words.with_welsh("yes_no", (YES, NO))


def parse_yes_no(value: str, ctx: ParseContext | None = None) -> bool:
    """Yes or no, however it is typed on a phone, in English or Welsh (`ie`, `na`, `oes`,
    `nac oes`, `do`, `naddo`…: the spellings are declared in YES and NO and words.CHOICES_CY)."""
    try:
        return parsers.parse_choice(value, YES_NO_OPTIONS, by_number=False) == "yes"
    except InvalidAnswer:
        t = refusals(ctx) if ctx is not None else translator(None)
        raise InvalidAnswer(t("Please answer yes or no (y or n also work).")) from None


#: what a yes/no question stores (a form's select offers these, values "yes" and "no")
YES_NO_VALUES = {"yes": True, "no": False}


def yes_no_field(
    key: str,
    label: str,
    prompt: str,
    help: str,
    parser: Parser = parse_yes_no,
    t: Translator | None = None,
    **extra: Any,
) -> Field:
    """A yes/no question; `parser` may refuse no (see required_yes)."""
    t = t or translator(None)
    return Field(
        key=key,
        label=label,
        prompt=t("{prompt} yes or no", prompt=prompt),
        help=help,
        example=t("yes"),
        kind=FieldKind.YES_NO,
        parser=parser,
        **extra,
    )


def text_field(
    key: str,
    label: str,
    prompt: str,
    about: str,
    example: str,
    limits: tuple[int, int],
    optional: bool = False,
    t: Translator | None = None,
    **extra: Any,
) -> Field:
    """A free-text question whose help is written from `about`, its limits and its example."""
    t = t or translator(None)
    low, high = limits
    multiline = bool(extra.get("multiline"))
    size = (
        t("up to {high} characters", high=high)
        if low <= 1
        else t("{low} to {high} characters", low=low, high=high)
    )
    parser = text(low, high, example, multiline)
    if optional:
        help = t(
            "{about} ({size}), for example: {example}. Optional: type skip to leave it out.",
            about=about,
            size=size,
            example=example,
        )
        prompt = t("{prompt} Type skip if not.", prompt=prompt)
    else:
        help = t(
            "{about} ({size}), for example: {example}.", about=about, size=size, example=example
        )
    return Field(
        key=key,
        label=label,
        prompt=prompt,
        help=help.replace("..", "."),
        example=example,
        kind=FieldKind.TEXT,
        parser=skippable(parser) if optional else parser,
        optional=optional,
        **extra,
    )


def date_field(
    key: str,
    label: str,
    prompt: str,
    about: str,
    example: str,
    *rules: DateRule,
    t: Translator | None = None,
    **extra: Any,
) -> Field:
    """A date question whose help is written from `about`, its example and the date forms."""
    t = t or translator(None)
    return Field(
        key=key,
        label=label,
        prompt=prompt,
        help=t(
            "{about}, for example {example}. Dates: {forms}.",
            about=about,
            example=example,
            forms=t(parsers.DATE_FORMS),
        ),
        example=example,
        kind=FieldKind.DATE,
        parser=date_parser(*rules),
        **extra,
    )
