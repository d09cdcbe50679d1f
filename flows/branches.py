"""The questions asked only on one legal basis: a court order, a licence condition or consent."""

from __future__ import annotations

from flows import parsers
from flows.config import FlowConfig
from flows.field_rules import (
    after_today,
    choice_field,
    date_parser,
    in_branch,
    not_future,
    parse_order_expiry,
    required_yes,
    text,
)
from flows.fields import Field, FieldKind, Option

ORDER_TYPES = (
    Option("shpo", "Sexual Harm Prevention Order (SHPO)"),
    Option("interim_shpo", "Interim Sexual Harm Prevention Order"),
    Option("sro", "Sexual Risk Order (SRO)"),
    Option("interim_sro", "Interim Sexual Risk Order"),
    Option("sopo", "Sexual Offences Prevention Order (SOPO)"),
)


def order_fields(config: FlowConfig) -> tuple[Field, ...]:
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


def licence_fields(date_hint: str) -> tuple[Field, ...]:
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


def voluntary_fields(date_hint: str) -> tuple[Field, ...]:
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
