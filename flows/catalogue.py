"""Every question of a monitoring-software request, in asking order (issue 2, "field catalogue";
issue 8, "order and relevance").

The order: who the person is, then the legal basis (the one condition the decider must confirm)
and its own questions, then risk, the device, software and date, why monitoring is necessary, and
notes. Stored answers are JSON values: dates as YYYY-MM-DD strings, choices as the option's value,
yes/no as bool, IMEIs as lists of digit strings, numbers as int, text as str.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache

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
    refusals,
    serial_applies,
    skippable,
    text_field,
    visor_example,
    yes_no_field,
)
from flows.fields import Catalogue, Field, FieldKind, Option
from flows.i18n import N_, translator

LEGAL_BASES = ("order", "licence", "voluntary")


def _numbered(n: int, word: str, *prefixes: str) -> tuple[str, ...]:
    """The ways people type "level 2": "level two", "L2", "lvl 2", "two"."""
    spellings = [word]
    for prefix in prefixes:
        spellings += [f"{prefix} {n}", f"{prefix}{n}", f"{prefix} {word}"]
    return tuple(spellings)


MAPPA_CATEGORIES = (
    Option(
        "1",
        N_("Category 1: registered sexual offender"),
        _numbered(1, "one", "category", "cat", "c"),
    ),
    Option(
        "2",
        N_("Category 2: violent and other sexual offenders"),
        _numbered(2, "two", "category", "cat", "c"),
    ),
    Option(
        "3",
        N_("Category 3: other dangerous offenders"),
        _numbered(3, "three", "category", "cat", "c"),
    ),
    Option(
        "4",
        N_("Category 4: terrorist and terrorist risk offenders"),
        _numbered(4, "four", "category", "cat", "c"),
    ),
)
MAPPA_LEVELS = (
    Option(
        "1", N_("Level 1: ordinary agency management"), _numbered(1, "one", "level", "lvl", "l")
    ),
    Option(
        "2", N_("Level 2: active multi-agency management"), _numbered(2, "two", "level", "lvl", "l")
    ),
    Option(
        "3",
        N_("Level 3: active multi-agency management, senior oversight"),
        _numbered(3, "three", "level", "lvl", "l"),
    ),
)
ROSH_LEVELS = (
    Option("low", N_("Low"), ("l", "lo")),
    Option("medium", N_("Medium"), ("m", "med", "moderate")),
    Option("high", N_("High"), ("h", "hi")),
    Option("very_high", N_("Very high"), ("v high", "vhigh", "vh", "very hi", "v hi")),
)
DEVICE_TYPES = (
    Option(
        "phone",
        N_("Phone"),
        ("mobile", "mobile phone", "smartphone", "smart phone", "cell phone", "iphone", "handset"),
    ),
    Option("tablet", N_("Tablet"), ("ipad", "tab")),
    Option("laptop", N_("Laptop"), ("notebook", "macbook", "chromebook")),
    Option("desktop", N_("Desktop computer"), ("desktop", "pc", "computer", "tower")),
    Option(
        "games_console", N_("Games console"), ("console", "xbox", "playstation", "ps5", "switch")
    ),
    Option("smart_tv", N_("Smart TV"), ("tv", "television")),
    Option("other", N_("Other")),
)
OWNERSHIP = (
    Option(
        "subject", N_("The person (solely theirs)"), ("theirs", "them", "the person", "own", "sole")
    ),
    Option("third_party", N_("Third party"), ("someone else", "other person", "friend", "family")),
    Option("shared", N_("Shared with others"), ("shared",)),
    Option("employer", N_("Employer"), ("work", "work device", "company")),
)
LEGAL_BASIS_OPTIONS = (
    Option("order", N_("Court order (SHPO, SRO, SOPO)"), ("court order", "shpo", "sro", "sopo")),
    Option("licence", N_("Licence condition"), ("license", "licence condition", "probation")),
    Option("voluntary", N_("Voluntary, with written consent"), ("consent", "voluntarily")),
)
NECESSITY_EXAMPLE = N_(
    "Recent ARMS shows increased risk of contact offending online; monitoring this phone is the "
    "least intrusive way to manage it"
)
#: the default configuration's catch-all product (a force's own product names are not translated)
OTHER_PRODUCT = N_("Other approved product")


@cache
def catalogue_for(config: FlowConfig, language: str = "en") -> Catalogue:
    """The questions worded in `language`, built once per configuration and language."""
    return build_catalogue(config, language)


def build_catalogue(config: FlowConfig, language: str = "en") -> Catalogue:
    """Every question, worded in `language` (`en` or `cy`): the same keys, order, rules and
    stored values in each; answers are understood in either language."""
    t = translator(language)
    # the default catch-all product is worded in the language (its English label still
    # understood); a force's own product names are shown as configured
    software = tuple(
        Option(s.value, t(s.label), (s.label,))
        if s.label == OTHER_PRODUCT
        else Option(s.value, s.label)
        for s in config.software
    )
    days_ahead = config.max_install_days_ahead
    person = (
        Field(
            key="visor_ref",
            label=t("ViSOR ref"),
            prompt=t("What is the person's ViSOR/MAPPS nominal reference?"),
            help=t(
                "The nominal reference from the person's ViSOR (or MAPPS) record; copy it "
                "exactly, letters are upper-cased for you. Example: {example}.",
                example=visor_example(config, t),
            ),
            example=visor_example(config, t),
            kind=FieldKind.REFERENCE,
            parser=parse_visor_ref,
        ),
        Field(
            key="pnc_id",
            label=t("PNC ID"),
            prompt=t("What is the person's PNC ID? Type skip if they have none."),
            help=t(
                "The Police National Computer ID: year, slash, up to seven digits and a "
                "check letter, for example {example} or 12/1234Y. Optional: type "
                "skip if the person has no PNC record.",
                example=parsers.PNC_EXAMPLE,
            ),
            example=parsers.PNC_EXAMPLE,
            kind=FieldKind.PNC,
            parser=skippable(
                lambda value, ctx: parsers.parse_pnc_id(value, ctx.today, refusals(ctx))
            ),
            optional=True,
        ),
    )
    basis = (
        choice_field(
            "legal_basis",
            t("Legal basis"),
            t("What is the legal basis for monitoring?"),
            t(
                "A court order (SHPO, SRO or SOPO), a licence condition, or the person's "
                "voluntary written consent. Example: 1 for an order."
            ),
            LEGAL_BASIS_OPTIONS,
            section="basis",
            decides=True,
            t=t,
        ),
        *order_fields(config, t),
        *licence_fields(t),
        *voluntary_fields(t),
    )
    risk = (
        choice_field(
            "mappa_category",
            t("MAPPA category"),
            t("Which MAPPA category is the person in?"),
            t(
                "The Multi-Agency Public Protection Arrangements category from the ViSOR "
                "record. Answer with the number or the name, for example 1."
            ),
            MAPPA_CATEGORIES,
            section="risk",
            t=t,
        ),
        choice_field(
            "mappa_level",
            t("MAPPA level"),
            t("At which MAPPA level is the person managed?"),
            t("The current MAPPA management level from the ViSOR record, for example 1 or L2."),
            MAPPA_LEVELS,
            section="risk",
            t=t,
        ),
        choice_field(
            "rosh_level",
            t("RoSH level"),
            t("What is the person's Risk of Serious Harm (RoSH) level?"),
            t("The RoSH level from the latest assessment, for example medium or 2."),
            ROSH_LEVELS,
            section="risk",
            t=t,
        ),
        date_field(
            "risk_assessment_date",
            t("Latest risk assessment"),
            t("On what date was the latest risk assessment (ARMS) completed?"),
            t("The completion date of the most recent ARMS assessment; it cannot be in the future"),
            "01/03/2026",
            not_future(N_("The date of the risk assessment")),
            section="risk",
            t=t,
        ),
    )
    device = (
        choice_field(
            "device_type",
            t("Device type"),
            t("What kind of device is to be monitored?"),
            t("The device the software will be installed on, for example phone or 1."),
            DEVICE_TYPES,
            section="device",
            decides=True,
            t=t,
        ),
        text_field(
            "device_make_model",
            t("Make and model"),
            t("What is the device's make and model?"),
            t("As shown on the device, its box or its settings"),
            t("Samsung Galaxy A15"),
            (2, 100),
            section="device",
            t=t,
        ),
        Field(
            key="device_os",
            label=t("Operating system"),
            prompt=t(
                "Which operating system and version does the device run? Type unknown if "
                "you cannot tell."
            ),
            help=t(
                "From the device's settings (About), for example Android 14 (2 to 60 "
                "characters); unknown if you cannot tell yet."
            ),
            example=t("Android 14"),
            kind=FieldKind.TEXT,
            parser=parse_device_os,
            section="device",
        ),
        Field(
            key="device_imei",
            label=t("IMEI"),
            prompt=t(
                "What is the device's IMEI? For a dual-SIM device give both, separated "
                "by a comma. A tablet without a SIM: type none."
            ),
            help=t(
                "{imei_help} A tablet with no SIM slot has no IMEI: type none "
                "and you will be asked for its serial number instead.",
                imei_help=t(parsers.IMEI_HELP_TEXT, example=parsers.IMEI_EXAMPLE),
            ),
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
            label=t("Serial number"),
            prompt=t("What is the device's serial number?"),
            help=t(
                "Usually on a label underneath or in the device's settings: 4 to 30 "
                "letters, digits or hyphens, for example {example}.",
                example=parsers.SERIAL_EXAMPLE,
            ),
            example=parsers.SERIAL_EXAMPLE,
            kind=FieldKind.REFERENCE,
            parser=lambda value, ctx: parsers.parse_serial(value, refusals(ctx)),
            condition=serial_applies,
            section="device",
            slot="device_id",
            masked=True,
        ),
        choice_field(
            "device_ownership",
            t("Ownership"),
            t("Who owns the device?"),
            t(
                "If anyone other than the person owns or uses the device, their privacy is "
                "affected too and the request is flagged for the decider. Example: 1."
            ),
            OWNERSHIP,
            section="device",
            decides=True,
            t=t,
        ),
        text_field(
            "other_users",
            t("Other users"),
            t("Who else uses the device?"),
            t(
                "Who they are to the person (names if known), so the decider can weigh their "
                "privacy"
            ),
            t("Partner, Sam Smith; uses it at weekends"),
            (2, 300),
            condition=others_use_device,
            section="device",
            slot="device_ownership",
            t=t,
        ),
        yes_no_field(
            "other_users_informed",
            t("Other users informed"),
            t("Have the other users been told the device will be monitored?"),
            t(
                "Anyone else using the device should know it is monitored. Answering no is "
                "allowed, but the request is flagged for the decider. Example: yes."
            ),
            condition=others_use_device,
            section="device",
            slot="device_ownership",
            t=t,
        ),
        date_field(
            "date_acquired",
            t("Date acquired"),
            t("On what date did the person acquire, first possess or first use the device?"),
            t("The first day they had or used it: the order's notification period begins then"),
            "01/03/2026",
            not_future(N_("The date the device was acquired")),
            branch="order",
            section="device",
            t=t,
        ),
        date_field(
            "date_notified",
            t("Date notified"),
            t("On what date did the person notify police of the device?"),
            t("The day police were told about the device; not before the day it was acquired"),
            "02/03/2026",
            not_future(N_("The date of notification")),
            not_before_answer("date_acquired", N_("the date the device was acquired")),
            branch="order",
            section="device",
            t=t,
        ),
    )
    software_and_necessity = (
        choice_field(
            "monitoring_software",
            t("Monitoring software"),
            t("Which approved monitoring product is to be installed?"),
            t("One of the products your force has approved, for example 1."),
            software,
            section="software",
            t=t,
            translate_labels=False,
        ),
        Field(
            key="proposed_install_date",
            label=t("Proposed install date"),
            prompt=t("On what date do you propose to install the software?"),
            help=t(
                "Today or later, at most {days} days ahead, for example tomorrow or 01/03/2026.",
                days=days_ahead,
            ),
            example=t("tomorrow"),
            kind=FieldKind.DATE,
            parser=date_parser(
                lambda day, ctx: parsers.require_from_today(
                    day, ctx.today, days_ahead, refusals(ctx)
                )
            ),
            section="software",
        ),
        text_field(
            "necessity",
            t("Necessity"),
            t("Why is monitoring this device necessary and proportionate for this person now?"),
            t("The risk it manages and why less intrusive measures are not enough"),
            t(NECESSITY_EXAMPLE),
            (20, 1000),
            section="software",
            multiline=True,
            t=t,
        ),
        text_field(
            "rmp_reference",
            t("Risk management plan"),
            t("What is the reference of the person's risk management plan?"),
            t("The RMP's reference or where it is held"),
            t("RMP-2026-118"),
            (2, 60),
            optional=True,
            section="software",
            t=t,
        ),
        text_field(
            "notes",
            t("Notes"),
            t("Anything else the decider should know?"),
            t("Optional free text"),
            t("Device shared with partner on weekends"),
            (1, 2000),
            optional=True,
            section="software",
            multiline=True,
            t=t,
        ),
    )
    fields = (*person, *basis, *risk, *device, *software_and_necessity)
    worded = tuple(replace(field, language=t.language) for field in fields)
    return Catalogue(worded, bases=LEGAL_BASES, language=t.language)
