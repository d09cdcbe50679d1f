"""The questions asked only on one legal basis: a court order, a licence condition or consent."""

from __future__ import annotations

from flows import parsers
from flows.config import FlowConfig
from flows.field_rules import (
    after_today,
    choice_field,
    date_field,
    not_future,
    parse_order_expiry,
    parse_yes_no,
    required_yes,
    text_field,
    yes_no_field,
)
from flows.fields import Field, FieldKind, Option

ORDER_TYPES = (
    Option("shpo", "Sexual Harm Prevention Order (SHPO)"),
    Option("interim_shpo", "Interim Sexual Harm Prevention Order", ("interim", "ishpo")),
    Option("sro", "Sexual Risk Order (SRO)"),
    Option("interim_sro", "Interim Sexual Risk Order", ("isro",)),
    Option("sopo", "Sexual Offences Prevention Order (SOPO)"),
)
BASIS = "basis"


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
            BASIS,
        ),
        text_field(
            "order_reference",
            "Order reference",
            "What is the order's reference (case number)?",
            "The court's case or order number",
            "T20257012",
            (2, 60),
            branch=branch,
            section=BASIS,
        ),
        text_field(
            "order_court",
            "Court",
            "Which court made the order?",
            "The court's name",
            "Leeds Crown Court",
            (2, 100),
            branch=branch,
            section=BASIS,
        ),
        date_field(
            "order_date",
            "Order date",
            "On what date was the order made?",
            "The date on the order; it cannot be in the future",
            "01/03/2025",
            not_future("The date the order was made"),
            branch=branch,
            section=BASIS,
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
            section=BASIS,
        ),
        Field(
            key="order_notify_days",
            label="Days to notify",
            prompt="Within how many days must the person notify police of a new device? "
            f"Type default for {default_days}.",
            help="The period the order allows to notify police of acquiring, possessing or "
            f"using a device: a whole number from 1 to 28, for example 3. Type default for "
            f"{default_days}.",
            example=str(default_days),
            kind=FieldKind.NUMBER,
            parser=lambda value, _ctx: parsers.parse_whole_number(value, 1, 28, default_days),
            branch=branch,
            section=BASIS,
        ),
        yes_no_field(
            "order_monitoring_clause",
            "Monitoring clause",
            "Does the order include a clause allowing monitoring software?",
            "Whether the order's prohibitions or requirements cover installing monitoring "
            "software, for example yes. Answering no is allowed, but the request is flagged for "
            "the decider.",
            branch=branch,
            section=BASIS,
        ),
    )


def licence_fields() -> tuple[Field, ...]:
    branch = "licence"
    condition_example = (
        "Must not use any device capable of accessing the internet unless it has monitoring "
        "software installed"
    )
    return (
        date_field(
            "licence_expiry",
            "Licence expiry",
            "When does the licence expire?",
            "The licence end date, after today",
            "01/03/2030",
            after_today(
                "a licence that has expired cannot be the basis for monitoring. Check the "
                "licence end date."
            ),
            branch=branch,
            section=BASIS,
        ),
        text_field(
            "probation_practitioner",
            "Probation practitioner",
            "Who is the person's probation practitioner?",
            "Name and, if useful, team",
            "Alex Smith, Leeds North PDU",
            (2, 100),
            branch=branch,
            section=BASIS,
        ),
        Field(
            key="probation_crn",
            label="Probation CRN",
            prompt="What is the person's probation case reference (CRN)?",
            help="The case reference number from the probation record: one letter and six "
            f"digits, for example {parsers.CRN_EXAMPLE}.",
            example=parsers.CRN_EXAMPLE,
            kind=FieldKind.REFERENCE,
            parser=lambda value, _ctx: parsers.parse_crn(value),
            branch=branch,
            section=BASIS,
        ),
        date_field(
            "probation_request_date",
            "Probation request date",
            "On what date did probation ask for monitoring?",
            "The date of probation's request",
            "01/03/2026",
            not_future("The date of probation's request"),
            branch=branch,
            section=BASIS,
        ),
        text_field(
            "licence_condition",
            "Licence condition",
            "What is the wording of the licence condition?",
            "Copy the condition as written on the licence",
            condition_example,
            (10, 2000),
            branch=branch,
            section=BASIS,
            multiline=True,
        ),
    )


def voluntary_fields() -> tuple[Field, ...]:
    branch = "voluntary"
    return (
        yes_no_field(
            "consent_obtained",
            "Written consent",
            "Has the person given written consent to monitoring?",
            "A voluntary installation is only lawful with the person's written consent. "
            "Answer yes if you hold it, for example: yes.",
            parser=required_yes(
                "A voluntary installation needs the person's written consent. Without it, type "
                "back and change the legal basis, or type cancel to withdraw the request."
            ),
            branch=branch,
            section=BASIS,
        ),
        yes_no_field(
            "consent_informed",
            "Told what is monitored",
            "Was the person told what is monitored and that they can withdraw consent at any time?",
            "Consent is informed only if the person knows what the software records and that "
            "they may withdraw consent. Answering no is allowed, but the request is flagged for "
            "the decider. Example: yes.",
            parser=parse_yes_no,
            branch=branch,
            section=BASIS,
        ),
        date_field(
            "consent_date",
            "Consent date",
            "On what date was the written consent given?",
            "The date on the consent form",
            "01/03/2026",
            not_future("The date of consent"),
            branch=branch,
            section=BASIS,
        ),
        text_field(
            "consent_reference",
            "Consent reference",
            "What is the reference of the signed consent form?",
            "Where the signed form is filed, e.g. a document or exhibit number",
            "DOC-2026-0042",
            (2, 60),
            branch=branch,
            section=BASIS,
        ),
        text_field(
            "consent_witness",
            "Consent witness",
            "Who witnessed the consent?",
            "The name and role of whoever witnessed the signature",
            "PC 1234 Jones",
            (2, 100),
            optional=True,
            branch=branch,
            section=BASIS,
        ),
    )
