"""Every question of a monitoring-software request, in asking order (issue 2, "field catalogue").

Stored answers are JSON values: dates as YYYY-MM-DD strings, choices as the option's value,
yes/no as bool, IMEIs as lists of digit strings, numbers as int, text as str.
"""

from __future__ import annotations

from flows import parsers
from flows.branches import licence_fields, order_fields, voluntary_fields
from flows.config import FlowConfig
from flows.field_rules import (
    choice_field,
    date_parser,
    imei_applies,
    not_before_answer,
    not_future,
    parse_device_imei,
    parse_visor_ref,
    required_yes,
    serial_applies,
    skippable,
    text,
    visor_example,
)
from flows.fields import Catalogue, Field, FieldKind, Option

LEGAL_BASES = ("order", "licence", "voluntary")

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
            *order_fields(config),
            *licence_fields(date_hint),
            *voluntary_fields(date_hint),
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
