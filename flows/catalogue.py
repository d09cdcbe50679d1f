"""Every question of a monitoring-software request, in asking order (issue 2, "field catalogue").

Stored answers are JSON values: dates as YYYY-MM-DD strings, choices as the option's value,
yes/no as bool, IMEIs as lists of digit strings, numbers as int, text as str.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from flows import parsers
from flows.config import FlowConfig
from flows.errors import InvalidAnswer
from flows.fields import (
    Applies,
    Catalogue,
    Field,
    FieldKind,
    Option,
    ParseContext,
    Parser,
    stored_date,
)

IMEI_DEVICE_TYPES = frozenset({"phone", "tablet"})
LEGAL_BASES = ("order", "licence", "voluntary")
INDEFINITE = "indefinite"
VISOR_EXAMPLE = "NOM/1234567"
#: Slack button texts are cut off beyond this
MAX_LABEL_LENGTH = 75

MAPPA_CATEGORIES = (
    Option("1", "Category 1: registered sexual offender"),
    Option("2", "Category 2: violent and other sexual offenders"),
    Option("3", "Category 3: other dangerous offenders"),
    Option("4", "Category 4: terrorist and terrorist risk offenders"),
)
MAPPA_LEVELS = (
    Option("1", "Level 1: ordinary agency management"),
    Option("2", "Level 2: active multi-agency management"),
    Option("3", "Level 3: active multi-agency management, senior oversight"),
)
ROSH_LEVELS = (
    Option("low", "Low"),
    Option("medium", "Medium"),
    Option("high", "High"),
    Option("very_high", "Very high"),
)
DEVICE_TYPES = (
    Option("phone", "Phone"),
    Option("tablet", "Tablet"),
    Option("laptop", "Laptop"),
    Option("desktop", "Desktop computer"),
    Option("games_console", "Games console"),
    Option("smart_tv", "Smart TV"),
    Option("other", "Other"),
)
OWNERSHIP = (
    Option("subject", "The person (solely theirs)"),
    Option("third_party", "Third party"),
    Option("shared", "Shared with others"),
    Option("employer", "Employer"),
)
LEGAL_BASIS_OPTIONS = (
    Option("order", "Court order (SHPO, SRO, SOPO)"),
    Option("licence", "Licence condition"),
    Option("voluntary", "Voluntary, with written consent"),
)
ORDER_TYPES = (
    Option("shpo", "Sexual Harm Prevention Order (SHPO)"),
    Option("interim_shpo", "Interim Sexual Harm Prevention Order"),
    Option("sro", "Sexual Risk Order (SRO)"),
    Option("interim_sro", "Interim Sexual Risk Order"),
    Option("sopo", "Sexual Offences Prevention Order (SOPO)"),
)


# --- small builders, so the catalogue below reads as a list of questions ---------------------


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


# --- the catalogue ----------------------------------------------------------------------------


def build_catalogue(config: FlowConfig) -> Catalogue:
    date_hint = f"Dates: {parsers.DATE_FORMS}."
    software = tuple(Option(s.value, s.label) for s in config.software)
    days_ahead = config.max_install_days_ahead
    return Catalogue(
        (
            Field(
                key="visor_ref",
                label="ViSOR ref",
                prompt="What is the person's ViSOR/MAPPS nominal reference?",
                help="The nominal reference from the person's ViSOR (or MAPPS) record; copy it "
                "exactly, letters are upper-cased for you. Example: "
                f"{visor_example(config)}.",
                example=visor_example(config),
                kind=FieldKind.REFERENCE,
                parser=parse_visor_ref,
            ),
            Field(
                key="pnc_id",
                label="PNC ID",
                prompt="What is the person's PNC ID? Type skip if they have none.",
                help="The Police National Computer ID: year, slash, up to seven digits and a "
                f"check letter, for example {parsers.PNC_EXAMPLE} or 12/1234Y. Optional: type "
                "skip if the person has no PNC record.",
                example=parsers.PNC_EXAMPLE,
                kind=FieldKind.PNC,
                parser=skippable(lambda value, ctx: parsers.parse_pnc_id(value, ctx.today)),
                optional=True,
            ),
            choice_field(
                "mappa_category",
                "MAPPA category",
                "Which MAPPA category is the person in?",
                "The Multi-Agency Public Protection Arrangements category from the ViSOR "
                "record. Answer with the number or the name, for example 1.",
                MAPPA_CATEGORIES,
            ),
            choice_field(
                "mappa_level",
                "MAPPA level",
                "At which MAPPA level is the person managed?",
                "The current MAPPA management level from the ViSOR record, for example 1.",
                MAPPA_LEVELS,
            ),
            choice_field(
                "rosh_level",
                "RoSH level",
                "What is the person's Risk of Serious Harm (RoSH) level?",
                "The RoSH level from the latest assessment, for example medium or 2.",
                ROSH_LEVELS,
            ),
            Field(
                key="risk_assessment_date",
                label="Latest risk assessment",
                prompt="On what date was the latest risk assessment (ARMS) completed?",
                help="The completion date of the most recent ARMS assessment, for example "
                f"01/03/2026. It cannot be in the future. {date_hint}",
                example="01/03/2026",
                kind=FieldKind.DATE,
                parser=date_parser(not_future("The date of the risk assessment")),
            ),
            choice_field(
                "device_type",
                "Device type",
                "What kind of device is to be monitored?",
                "The device the software will be installed on, for example phone or 1.",
                DEVICE_TYPES,
            ),
            Field(
                key="device_make_model",
                label="Make and model",
                prompt="What is the device's make and model?",
                help="As shown on the device, its box or its settings, for example "
                "Samsung Galaxy A15 (2 to 100 characters).",
                example="Samsung Galaxy A15",
                kind=FieldKind.TEXT,
                parser=text(2, 100, "Samsung Galaxy A15"),
            ),
            Field(
                key="device_os",
                label="Operating system",
                prompt="Which operating system and version does the device run?",
                help="From the device's settings (About), for example Android 14 "
                "(2 to 60 characters).",
                example="Android 14",
                kind=FieldKind.TEXT,
                parser=text(2, 60, "Android 14"),
            ),
            Field(
                key="device_imei",
                label="IMEI",
                prompt="What is the device's IMEI? For a dual-SIM device give both, separated "
                "by a comma. A tablet without a SIM: type none.",
                help=f"{parsers.IMEI_HELP} A tablet with no SIM slot has no IMEI: type none "
                "and you will be asked for its serial number instead.",
                example=parsers.IMEI_EXAMPLE,
                kind=FieldKind.IMEI,
                parser=parse_device_imei,
                applies=imei_applies,
            ),
            Field(
                key="device_serial",
                label="Serial number",
                prompt="What is the device's serial number?",
                help="Usually on a label underneath or in the device's settings: 4 to 30 "
                f"letters, digits or hyphens, for example {parsers.SERIAL_EXAMPLE}.",
                example=parsers.SERIAL_EXAMPLE,
                kind=FieldKind.REFERENCE,
                parser=lambda value, _ctx: parsers.parse_serial(value),
                applies=serial_applies,
            ),
            choice_field(
                "device_ownership",
                "Ownership",
                "Who owns the device?",
                "If anyone other than the person owns or uses the device, their privacy is "
                "affected too and the request is flagged for the decider. Example: 1.",
                OWNERSHIP,
            ),
            Field(
                key="date_acquired",
                label="Date acquired",
                prompt="On what date did the person acquire the device?",
                help=f"The day they got it, for example 01/03/2026. {date_hint}",
                example="01/03/2026",
                kind=FieldKind.DATE,
                parser=date_parser(not_future("The date the device was acquired")),
            ),
            Field(
                key="date_notified",
                label="Date notified",
                prompt="On what date did the person notify police of the device?",
                help="The day police were told about the device; not before the day it was "
                f"acquired. For example 02/03/2026. {date_hint}",
                example="02/03/2026",
                kind=FieldKind.DATE,
                parser=date_parser(
                    not_future("The date of notification"),
                    not_before_answer("date_acquired", "the date the device was acquired"),
                ),
            ),
            choice_field(
                "legal_basis",
                "Legal basis",
                "What is the legal basis for monitoring?",
                "A court order (SHPO, SRO or SOPO), a licence condition, or the person's "
                "voluntary written consent. Example: 1 for an order.",
                LEGAL_BASIS_OPTIONS,
            ),
            *_order_fields(config),
            *_licence_fields(date_hint),
            *_voluntary_fields(date_hint),
            choice_field(
                "monitoring_software",
                "Monitoring software",
                "Which approved monitoring product is to be installed?",
                "One of the products your force has approved, for example 1.",
                software,
            ),
            Field(
                key="proposed_install_date",
                label="Proposed install date",
                prompt="On what date do you propose to install the software?",
                help=f"Today or later, at most {days_ahead} days ahead, for example "
                "tomorrow or 01/03/2026.",
                example="tomorrow",
                kind=FieldKind.DATE,
                parser=date_parser(
                    lambda day, ctx: parsers.require_from_today(day, ctx.today, days_ahead)
                ),
            ),
            Field(
                key="information_reviewed",
                label="Information reviewed",
                prompt="Do you confirm: I hold all relevant information about this person "
                "(ViSOR record, risk management plan, latest risk assessment)? yes or no",
                help="The decider relies on you having read the person's ViSOR record, risk "
                "management plan and latest risk assessment. Answer yes once you have, for "
                "example: yes.",
                example="yes",
                kind=FieldKind.YES_NO,
                parser=required_yes(
                    "You need to hold all the relevant information before requesting "
                    "monitoring. Read the person's ViSOR record, risk management plan and "
                    "latest risk assessment first, then answer yes; or type cancel to withdraw "
                    "the request."
                ),
            ),
            Field(
                key="notes",
                label="Notes",
                prompt="Anything else the decider should know? Type skip if not.",
                help="Optional free text, up to 2000 characters, for example: Device shared "
                "with partner on weekends.",
                example="Device shared with partner on weekends.",
                kind=FieldKind.TEXT,
                parser=skippable(text(1, 2000, "Device shared with partner on weekends.", True)),
                optional=True,
            ),
        )
    )


def _order_fields(config: FlowConfig) -> tuple[Field, ...]:
    branch = "order"
    default_days = config.default_notify_days
    return (
        choice_field(
            "order_type",
            "Order type",
            "What type of order is it?",
            "As written on the order, for example shpo or 1.",
            ORDER_TYPES,
            branch,
        ),
        Field(
            key="order_reference",
            label="Order reference",
            prompt="What is the order's reference (case number)?",
            help="The court's case or order number, for example T20257012 (2 to 60 characters).",
            example="T20257012",
            kind=FieldKind.TEXT,
            parser=text(2, 60, "T20257012"),
            branch=branch,
            applies=in_branch(branch),
        ),
        Field(
            key="order_court",
            label="Court",
            prompt="Which court made the order?",
            help="The court's name, for example Leeds Crown Court (2 to 100 characters).",
            example="Leeds Crown Court",
            kind=FieldKind.TEXT,
            parser=text(2, 100, "Leeds Crown Court"),
            branch=branch,
            applies=in_branch(branch),
        ),
        Field(
            key="order_date",
            label="Order date",
            prompt="On what date was the order made?",
            help="The date on the order, for example 01/03/2025. It cannot be in the future.",
            example="01/03/2025",
            kind=FieldKind.DATE,
            parser=date_parser(not_future("The date the order was made")),
            branch=branch,
            applies=in_branch(branch),
        ),
        Field(
            key="order_expiry",
            label="Order expiry",
            prompt="When does the order expire? Type indefinite if it has no end date.",
            help="The expiry date on the order (after today), for example 01/03/2030, or "
            "indefinite. An expired order cannot be the basis for monitoring.",
            example="01/03/2030",
            kind=FieldKind.DATE,
            parser=parse_order_expiry,
            branch=branch,
            applies=in_branch(branch),
        ),
        Field(
            key="order_notify_days",
            label="Days to notify",
            prompt="Within how many days must the person notify police of a new device? "
            f"Type default for {default_days}.",
            help="The period the order allows, counting the day of acquisition as day 1: a "
            f"whole number from 1 to 28, for example 3. Type default for {default_days}.",
            example=str(default_days),
            kind=FieldKind.NUMBER,
            parser=lambda value, _ctx: parsers.parse_whole_number(value, 1, 28, default_days),
            branch=branch,
            applies=in_branch(branch),
        ),
        Field(
            key="order_monitoring_clause",
            label="Monitoring clause",
            prompt="Does the order include a clause allowing monitoring software? yes or no",
            help="Whether the order's prohibitions or requirements cover installing monitoring "
            "software, for example yes. Answering no is allowed, but the request is flagged for "
            "the decider.",
            example="yes",
            kind=FieldKind.YES_NO,
            parser=lambda value, _ctx: parsers.parse_yes_no(value),
            branch=branch,
            applies=in_branch(branch),
        ),
    )


def _licence_fields(date_hint: str) -> tuple[Field, ...]:
    branch = "licence"
    condition_example = (
        "Must not use any device capable of accessing the internet unless it has monitoring "
        "software installed."
    )
    return (
        Field(
            key="licence_condition",
            label="Licence condition",
            prompt="What is the wording of the licence condition?",
            help="Copy the condition as written on the licence (10 to 2000 characters), for "
            f"example: {condition_example}",
            example=condition_example,
            kind=FieldKind.TEXT,
            parser=text(10, 2000, condition_example, multiline=True),
            branch=branch,
            applies=in_branch(branch),
        ),
        Field(
            key="licence_expiry",
            label="Licence expiry",
            prompt="When does the licence expire?",
            help="The licence end date, after today, for example 01/03/2030.",
            example="01/03/2030",
            kind=FieldKind.DATE,
            parser=date_parser(
                after_today(
                    "a licence that has expired cannot be the basis for monitoring. Check the "
                    "licence end date."
                )
            ),
            branch=branch,
            applies=in_branch(branch),
        ),
        Field(
            key="probation_practitioner",
            label="Probation practitioner",
            prompt="Who is the person's probation practitioner?",
            help="Name and, if useful, team, for example Alex Smith, Leeds North PDU "
            "(2 to 100 characters).",
            example="Alex Smith, Leeds North PDU",
            kind=FieldKind.TEXT,
            parser=text(2, 100, "Alex Smith, Leeds North PDU"),
            branch=branch,
            applies=in_branch(branch),
        ),
        Field(
            key="probation_request_date",
            label="Probation request date",
            prompt="On what date did probation ask for monitoring?",
            help=f"The date of probation's request, for example 01/03/2026. {date_hint}",
            example="01/03/2026",
            kind=FieldKind.DATE,
            parser=date_parser(not_future("The date of probation's request")),
            branch=branch,
            applies=in_branch(branch),
        ),
    )


def _voluntary_fields(date_hint: str) -> tuple[Field, ...]:
    branch = "voluntary"
    return (
        Field(
            key="consent_obtained",
            label="Written consent",
            prompt="Has the person given written consent to monitoring? yes or no",
            help="A voluntary installation is only lawful with the person's written consent. "
            "Answer yes if you hold it, for example: yes.",
            example="yes",
            kind=FieldKind.YES_NO,
            parser=required_yes(
                "A voluntary installation needs the person's written consent. Without it, type "
                "back and change the legal basis, or type cancel to withdraw the request."
            ),
            branch=branch,
            applies=in_branch(branch),
        ),
        Field(
            key="consent_date",
            label="Consent date",
            prompt="On what date was the written consent given?",
            help=f"The date on the consent form, for example 01/03/2026. {date_hint}",
            example="01/03/2026",
            kind=FieldKind.DATE,
            parser=date_parser(not_future("The date of consent")),
            branch=branch,
            applies=in_branch(branch),
        ),
        Field(
            key="consent_reference",
            label="Consent reference",
            prompt="What is the reference of the signed consent form?",
            help="Where the signed form is filed, for example a document or exhibit number "
            "such as DOC-2026-0042 (2 to 60 characters).",
            example="DOC-2026-0042",
            kind=FieldKind.TEXT,
            parser=text(2, 60, "DOC-2026-0042"),
            branch=branch,
            applies=in_branch(branch),
        ),
    )
