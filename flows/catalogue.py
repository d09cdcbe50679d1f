"""Every question of a monitoring-software request, in asking order (issue 2, "field catalogue";
issue 8, "order and relevance").

The order: who the person is, then the legal basis (the one condition the decider must confirm)
and its own questions, then risk, the device, software and date, why monitoring is necessary, and
notes. Stored answers are JSON values: dates as YYYY-MM-DD strings, choices as the option's value,
yes/no as bool, IMEIs as lists of digit strings, numbers as int, text as str.
"""

from __future__ import annotations

from flows import parsers
from flows.branches import licence_fields, order_fields, voluntary_fields
from flows.config import FlowConfig
from flows.field_rules import (
    choice_field,
    date_field,
    date_parser,
    imei_applies,
    not_before_answer,
    not_future,
    others_use_device,
    parse_device_imei,
    parse_device_os,
    parse_visor_ref,
    serial_applies,
    skippable,
    text_field,
    visor_example,
    yes_no_field,
)
from flows.fields import Catalogue, Field, FieldKind, Option

LEGAL_BASES = ("order", "licence", "voluntary")


def _numbered(n: int, word: str, *prefixes: str) -> tuple[str, ...]:
    """The ways people type "level 2": "level two", "L2", "lvl 2", "two"."""
    spellings = [word]
    for prefix in prefixes:
        spellings += [f"{prefix} {n}", f"{prefix}{n}", f"{prefix} {word}"]
    return tuple(spellings)


MAPPA_CATEGORIES = (
    Option(
        "1", "Category 1: registered sexual offender", _numbered(1, "one", "category", "cat", "c")
    ),
    Option(
        "2",
        "Category 2: violent and other sexual offenders",
        _numbered(2, "two", "category", "cat", "c"),
    ),
    Option(
        "3", "Category 3: other dangerous offenders", _numbered(3, "three", "category", "cat", "c")
    ),
    Option(
        "4",
        "Category 4: terrorist and terrorist risk offenders",
        _numbered(4, "four", "category", "cat", "c"),
    ),
)
MAPPA_LEVELS = (
    Option("1", "Level 1: ordinary agency management", _numbered(1, "one", "level", "lvl", "l")),
    Option(
        "2", "Level 2: active multi-agency management", _numbered(2, "two", "level", "lvl", "l")
    ),
    Option(
        "3",
        "Level 3: active multi-agency management, senior oversight",
        _numbered(3, "three", "level", "lvl", "l"),
    ),
)
ROSH_LEVELS = (
    Option("low", "Low", ("l", "lo")),
    Option("medium", "Medium", ("m", "med", "moderate")),
    Option("high", "High", ("h", "hi")),
    Option("very_high", "Very high", ("v high", "vhigh", "vh", "very hi", "v hi")),
)
DEVICE_TYPES = (
    Option(
        "phone",
        "Phone",
        ("mobile", "mobile phone", "smartphone", "smart phone", "cell phone", "iphone", "handset"),
    ),
    Option("tablet", "Tablet", ("ipad", "tab")),
    Option("laptop", "Laptop", ("notebook", "macbook", "chromebook")),
    Option("desktop", "Desktop computer", ("desktop", "pc", "computer", "tower")),
    Option("games_console", "Games console", ("console", "xbox", "playstation", "ps5", "switch")),
    Option("smart_tv", "Smart TV", ("tv", "television")),
    Option("other", "Other"),
)
OWNERSHIP = (
    Option(
        "subject", "The person (solely theirs)", ("theirs", "them", "the person", "own", "sole")
    ),
    Option("third_party", "Third party", ("someone else", "other person", "friend", "family")),
    Option("shared", "Shared with others", ("shared",)),
    Option("employer", "Employer", ("work", "work device", "company")),
)
LEGAL_BASIS_OPTIONS = (
    Option("order", "Court order (SHPO, SRO, SOPO)", ("court order", "shpo", "sro", "sopo")),
    Option("licence", "Licence condition", ("license", "licence condition", "probation")),
    Option("voluntary", "Voluntary, with written consent", ("consent", "voluntarily")),
)
NECESSITY_EXAMPLE = (
    "Recent ARMS shows increased risk of contact offending online; monitoring this phone is the "
    "least intrusive way to manage it"
)


def build_catalogue(config: FlowConfig) -> Catalogue:
    software = tuple(Option(s.value, s.label) for s in config.software)
    days_ahead = config.max_install_days_ahead
    person = (
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
    )
    basis = (
        choice_field(
            "legal_basis",
            "Legal basis",
            "What is the legal basis for monitoring?",
            "A court order (SHPO, SRO or SOPO), a licence condition, or the person's "
            "voluntary written consent. Example: 1 for an order.",
            LEGAL_BASIS_OPTIONS,
            section="basis",
            decides=True,
        ),
        *order_fields(config),
        *licence_fields(),
        *voluntary_fields(),
    )
    risk = (
        choice_field(
            "mappa_category",
            "MAPPA category",
            "Which MAPPA category is the person in?",
            "The Multi-Agency Public Protection Arrangements category from the ViSOR "
            "record. Answer with the number or the name, for example 1.",
            MAPPA_CATEGORIES,
            section="risk",
        ),
        choice_field(
            "mappa_level",
            "MAPPA level",
            "At which MAPPA level is the person managed?",
            "The current MAPPA management level from the ViSOR record, for example 1 or L2.",
            MAPPA_LEVELS,
            section="risk",
        ),
        choice_field(
            "rosh_level",
            "RoSH level",
            "What is the person's Risk of Serious Harm (RoSH) level?",
            "The RoSH level from the latest assessment, for example medium or 2.",
            ROSH_LEVELS,
            section="risk",
        ),
        date_field(
            "risk_assessment_date",
            "Latest risk assessment",
            "On what date was the latest risk assessment (ARMS) completed?",
            "The completion date of the most recent ARMS assessment; it cannot be in the future",
            "01/03/2026",
            not_future("The date of the risk assessment"),
            section="risk",
        ),
    )
    device = (
        choice_field(
            "device_type",
            "Device type",
            "What kind of device is to be monitored?",
            "The device the software will be installed on, for example phone or 1.",
            DEVICE_TYPES,
            section="device",
            decides=True,
        ),
        text_field(
            "device_make_model",
            "Make and model",
            "What is the device's make and model?",
            "As shown on the device, its box or its settings",
            "Samsung Galaxy A15",
            (2, 100),
            section="device",
        ),
        Field(
            key="device_os",
            label="Operating system",
            prompt="Which operating system and version does the device run? Type unknown if "
            "you cannot tell.",
            help="From the device's settings (About), for example Android 14 (2 to 60 "
            "characters); unknown if you cannot tell yet.",
            example="Android 14",
            kind=FieldKind.TEXT,
            parser=parse_device_os,
            section="device",
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
            condition=imei_applies,
            section="device",
            slot="device_id",
            masked=True,
            decides=True,
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
            condition=serial_applies,
            section="device",
            slot="device_id",
            masked=True,
        ),
        choice_field(
            "device_ownership",
            "Ownership",
            "Who owns the device?",
            "If anyone other than the person owns or uses the device, their privacy is "
            "affected too and the request is flagged for the decider. Example: 1.",
            OWNERSHIP,
            section="device",
            decides=True,
        ),
        text_field(
            "other_users",
            "Other users",
            "Who else uses the device?",
            "Who they are to the person (names if known), so the decider can weigh their privacy",
            "Partner, Sam Smith; uses it at weekends",
            (2, 300),
            condition=others_use_device,
            section="device",
            slot="device_ownership",
        ),
        yes_no_field(
            "other_users_informed",
            "Other users informed",
            "Have the other users been told the device will be monitored?",
            "Anyone else using the device should know it is monitored. Answering no is allowed, "
            "but the request is flagged for the decider. Example: yes.",
            condition=others_use_device,
            section="device",
            slot="device_ownership",
        ),
        date_field(
            "date_acquired",
            "Date acquired",
            "On what date did the person acquire, first possess or first use the device?",
            "The first day they had or used it: the order's notification period begins then",
            "01/03/2026",
            not_future("The date the device was acquired"),
            branch="order",
            section="device",
        ),
        date_field(
            "date_notified",
            "Date notified",
            "On what date did the person notify police of the device?",
            "The day police were told about the device; not before the day it was acquired",
            "02/03/2026",
            not_future("The date of notification"),
            not_before_answer("date_acquired", "the date the device was acquired"),
            branch="order",
            section="device",
        ),
    )
    software_and_necessity = (
        choice_field(
            "monitoring_software",
            "Monitoring software",
            "Which approved monitoring product is to be installed?",
            "One of the products your force has approved, for example 1.",
            software,
            section="software",
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
            section="software",
        ),
        text_field(
            "necessity",
            "Necessity",
            "Why is monitoring this device necessary and proportionate for this person now?",
            "The risk it manages and why less intrusive measures are not enough",
            NECESSITY_EXAMPLE,
            (20, 1000),
            section="software",
            multiline=True,
        ),
        text_field(
            "rmp_reference",
            "Risk management plan",
            "What is the reference of the person's risk management plan?",
            "The RMP's reference or where it is held",
            "RMP-2026-118",
            (2, 60),
            optional=True,
            section="software",
        ),
        text_field(
            "notes",
            "Notes",
            "Anything else the decider should know?",
            "Optional free text",
            "Device shared with partner on weekends",
            (1, 2000),
            optional=True,
            section="software",
            multiline=True,
        ),
    )
    return Catalogue((*person, *basis, *risk, *device, *software_and_necessity), bases=LEGAL_BASES)
