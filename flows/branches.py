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
    refusals,
    required_yes,
    text_field,
    yes_no_field,
)
from flows.fields import Field, FieldKind, Option
from flows.i18n import N_, Translator

ORDER_TYPES = (
    Option("shpo", N_("Sexual Harm Prevention Order (SHPO)")),
    Option("interim_shpo", N_("Interim Sexual Harm Prevention Order"), ("interim", "ishpo")),
    Option("sro", N_("Sexual Risk Order (SRO)")),
    Option("interim_sro", N_("Interim Sexual Risk Order"), ("isro",)),
    Option("sopo", N_("Sexual Offences Prevention Order (SOPO)")),
)
BASIS = "basis"


def order_fields(config: FlowConfig, t: Translator) -> tuple[Field, ...]:
    branch = "order"
    default_days = config.default_notify_days
    return (
        choice_field(
            "order_type",
            t("Order type"),
            t("What type of order is it?"),
            t("As written on the order, for example shpo or 1."),
            ORDER_TYPES,
            branch,
            BASIS,
            t=t,
        ),
        text_field(
            "order_reference",
            t("Order reference"),
            t("What is the order's reference (case number)?"),
            t("The court's case or order number"),
            "T20257012",
            (2, 60),
            branch=branch,
            section=BASIS,
            t=t,
        ),
        text_field(
            "order_court",
            t("Court"),
            t("Which court made the order?"),
            t("The court's name"),
            t("Leeds Crown Court"),
            (2, 100),
            branch=branch,
            section=BASIS,
            t=t,
        ),
        date_field(
            "order_date",
            t("Order date"),
            t("On what date was the order made?"),
            t("The date on the order; it cannot be in the future"),
            "01/03/2025",
            not_future(N_("The date the order was made")),
            branch=branch,
            section=BASIS,
            t=t,
        ),
        Field(
            key="order_expiry",
            label=t("Order expiry"),
            prompt=t("When does the order expire? Type indefinite if it has no end date."),
            help=t(
                "The expiry date on the order (after today), for example 01/03/2030, or "
                "indefinite. An expired order cannot be the basis for monitoring."
            ),
            example="01/03/2030",
            kind=FieldKind.DATE,
            parser=parse_order_expiry,
            branch=branch,
            section=BASIS,
        ),
        Field(
            key="order_notify_days",
            label=t("Days to notify"),
            prompt=t(
                "Within how many days must the person notify police of a new device? "
                "Type default for {days}.",
                days=default_days,
            ),
            help=t(
                "The period the order allows to notify police of acquiring, possessing or "
                "using a device: a whole number from 1 to 28, for example 3. Type default for "
                "{days}.",
                days=default_days,
            ),
            example=str(default_days),
            kind=FieldKind.NUMBER,
            parser=lambda value, ctx: parsers.parse_whole_number(
                value, 1, 28, default_days, refusals(ctx)
            ),
            branch=branch,
            section=BASIS,
        ),
        yes_no_field(
            "order_monitoring_clause",
            t("Monitoring clause"),
            t("Does the order include a clause allowing monitoring software?"),
            t(
                "Whether the order's prohibitions or requirements cover installing monitoring "
                "software, for example yes. Answering no is allowed, but the request is flagged "
                "for the decider."
            ),
            branch=branch,
            section=BASIS,
            t=t,
        ),
    )


def licence_fields(t: Translator) -> tuple[Field, ...]:
    branch = "licence"
    condition_example = N_(
        "Must not use any device capable of accessing the internet unless it has monitoring "
        "software installed"
    )
    return (
        date_field(
            "licence_expiry",
            t("Licence expiry"),
            t("When does the licence expire?"),
            t("The licence end date, after today"),
            "01/03/2030",
            after_today(
                N_(
                    "a licence that has expired cannot be the basis for monitoring. Check the "
                    "licence end date."
                )
            ),
            branch=branch,
            section=BASIS,
            t=t,
        ),
        text_field(
            "probation_practitioner",
            t("Probation practitioner"),
            t("Who is the person's probation practitioner?"),
            t("Name and, if useful, team"),
            t("Alex Smith, Leeds North PDU"),
            (2, 100),
            branch=branch,
            section=BASIS,
            t=t,
        ),
        Field(
            key="probation_crn",
            label=t("Probation CRN"),
            prompt=t("What is the person's probation case reference (CRN)?"),
            help=t(
                "The case reference number from the probation record: one letter and six "
                "digits, for example {example}.",
                example=parsers.CRN_EXAMPLE,
            ),
            example=parsers.CRN_EXAMPLE,
            kind=FieldKind.REFERENCE,
            parser=lambda value, ctx: parsers.parse_crn(value, refusals(ctx)),
            branch=branch,
            section=BASIS,
        ),
        date_field(
            "probation_request_date",
            t("Probation request date"),
            t("On what date did probation ask for monitoring?"),
            t("The date of probation's request"),
            "01/03/2026",
            not_future(N_("The date of probation's request")),
            branch=branch,
            section=BASIS,
            t=t,
        ),
        text_field(
            "licence_condition",
            t("Licence condition"),
            t("What is the wording of the licence condition?"),
            t("Copy the condition as written on the licence"),
            t(condition_example),
            (10, 2000),
            branch=branch,
            section=BASIS,
            multiline=True,
            t=t,
        ),
    )


def voluntary_fields(t: Translator) -> tuple[Field, ...]:
    branch = "voluntary"
    return (
        yes_no_field(
            "consent_obtained",
            t("Written consent"),
            t("Has the person given written consent to monitoring?"),
            t(
                "A voluntary installation is only lawful with the person's written consent. "
                "Answer yes if you hold it, for example: yes."
            ),
            parser=required_yes(
                N_(
                    "A voluntary installation needs the person's written consent. Without it, type "
                    "back and change the legal basis, or type cancel to withdraw the request."
                )
            ),
            branch=branch,
            section=BASIS,
            t=t,
        ),
        yes_no_field(
            "consent_informed",
            t("Told what is monitored"),
            t(
                "Was the person told what is monitored and that they can withdraw consent at "
                "any time?"
            ),
            t(
                "Consent is informed only if the person knows what the software records and "
                "that they may withdraw consent. Answering no is allowed, but the request is "
                "flagged for the decider. Example: yes."
            ),
            parser=parse_yes_no,
            branch=branch,
            section=BASIS,
            t=t,
        ),
        date_field(
            "consent_date",
            t("Consent date"),
            t("On what date was the written consent given?"),
            t("The date on the consent form"),
            "01/03/2026",
            not_future(N_("The date of consent")),
            branch=branch,
            section=BASIS,
            t=t,
        ),
        text_field(
            "consent_reference",
            t("Consent reference"),
            t("What is the reference of the signed consent form?"),
            t("Where the signed form is filed, e.g. a document or exhibit number"),
            "DOC-2026-0042",
            (2, 60),
            branch=branch,
            section=BASIS,
            t=t,
        ),
        text_field(
            "consent_witness",
            t("Consent witness"),
            t("Who witnessed the consent?"),
            t("The name and role of whoever witnessed the signature"),
            t("PC 1234 Jones"),
            (2, 100),
            optional=True,
            branch=branch,
            section=BASIS,
            t=t,
        ),
    )
