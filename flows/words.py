"""The words an officer may type, in English or in Welsh, whatever the conversation's language.

Issue 12: answers are understood in either language. Each Welsh (or English) spelling maps to one
language-neutral meaning, so a record made in Welsh stores exactly what one made in English:
`nôl` is the command `back`, `ie` is True, "3 Mawrth 2026" is 2026-03-03, `gwirfoddol` is the
basis `voluntary`. Pure data and small functions: no I/O, no catalogue.

Spellings are compared after `fold`: case, accents (ô, ŵ, ŷ…), curly apostrophes and runs of
spaces do not matter, so `nol`, `Nôl` and `NÔL` are one word (choices and keywords also by
`spelling_key`, which ignores `_`, `-` and `.` too).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any, TypeVar


def fold(text: str) -> str:
    """Text as spellings are compared: case-folded, without accents, one space between words."""
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("’", "'"))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.split())


def spelling_key(text: str) -> str:
    """What two spellings of one word or option have in common: `fold`, and `_`, `-` and `.`
    are spaces ("V. high", "very-high"); an exclamation mark typed after it does not matter."""
    return re.sub(r"[\s_.-]+", " ", fold(text)).strip(" !")


# -- commands -----------------------------------------------------------------------------------

#: every command of the conversation by its (English, language-neutral) name, with what may be
#: typed for it; only ever a message of its own or its first word (`golygu 3`)
COMMANDS: Mapping[str, tuple[str, ...]] = {
    "back": ("back", "nôl", "yn ôl"),
    "skip": ("skip", "hepgor"),
    "help": ("help", "cymorth"),
    "cancel": ("cancel", "canslo"),
    "submit": ("submit", "cyflwyno"),
    "edit": ("edit", "golygu"),
}
_COMMAND_BY_SPELLING = {fold(s): name for name, spellings in COMMANDS.items() for s in spellings}


def split_command(text: str) -> tuple[str, str]:
    """A message as (command, argument): the command's neutral name when the message starts
    with one in either language ("Golygu 3" gives ("edit", "3")), else its first word
    lower-cased; the argument is the rest, as typed."""
    words = text.split(maxsplit=2)
    if not words:
        return "", ""
    if len(words) >= 2 and (name := _COMMAND_BY_SPELLING.get(fold(" ".join(words[:2])))):
        return name, words[2] if len(words) > 2 else ""
    first, *rest = text.split(maxsplit=1)
    return _COMMAND_BY_SPELLING.get(fold(first), first.lower()), rest[0] if rest else ""


def command_word(text: str) -> str | None:
    """The command a whole message (or line) is, in either language, or None."""
    return _COMMAND_BY_SPELLING.get(fold(text))


# -- keywords some answers accept -----------------------------------------------------------------

#: words that stand for a stored keyword ("indefinite", "none"…), by that keyword
KEYWORDS: Mapping[str, tuple[str, ...]] = {
    # an optional question left out (stored as None)
    "skip": COMMANDS["skip"],
    # a tablet without an IMEI
    "none": ("none", "dim", "dim un", "dim imei"),
    # an order without an end date
    "indefinite": (
        "indefinite",
        "amhenodol",
        "am gyfnod amhenodol",
        "dim dyddiad gorffen",
        "dim dyddiad terfyn",
    ),
    # the force's default number of days to notify
    "default": ("default", "diofyn", "rhagosodiad", "y rhagosodiad"),
    # an operating system the officer cannot tell yet
    "unknown": (
        "unknown",
        "not known",
        "dont know",
        "don't know",
        "n/k",
        "nk",
        "?",
        "anhysbys",
        "ddim yn gwybod",
        "dim yn gwybod",
        "dwi ddim yn gwybod",
        "ddim yn siŵr",
        "dim syniad",
    ),
}
_KEYWORD_SPELLINGS = {
    name: {spelling_key(s) for s in spellings} for name, spellings in KEYWORDS.items()
}


def is_keyword(text: str, keyword: str) -> bool:
    """Whether `text` is `keyword` ("skip", "none", "indefinite", "default", "unknown") in
    either language, compared by `spelling_key`."""
    return spelling_key(text) in _KEYWORD_SPELLINGS[keyword]


# -- yes and no ---------------------------------------------------------------------------------

# Welsh has no single word for yes or no: the answer echoes the question's verb ("Oes" to "Oes
# gan…?", "Do" to a past tense, "Ydy" to "Ydy'r…?"). Each common answer form is accepted on any
# yes/no question, whichever verb the question used.
YES_CY = (
    "ie",
    "oes",
    "do",
    "ydy",
    "ydi",
    "ydw",
    "ydyn",
    "ydynt",
    "yndw",
    "yndi",
    "oedd",
    "roedd",
    "cywir",
    "iawn",
    "gwir",
    "wrth gwrs",
)
NO_CY = (
    "na",
    "nage",
    "nac oes",
    "naddo",
    "nac ydy",
    "nac ydi",
    "naci",
    "nac ydw",
    "nac ydyn",
    "nac ydynt",
    "nac oedd",
    "nid oedd",
    "ddim",
    "dim",
    "anghywir",
    "ddim eto",
    "dim eto",
)

# -- dates --------------------------------------------------------------------------------------

#: the month's name as it may be typed: in full, mutated as after "o" or "yn" ("o Fawrth", "yn
#: Nhachwedd"), and the abbreviations in use (each stands for one month only)
_WELSH_MONTH_SPELLINGS = (
    ("ionawr", "ion"),
    ("chwefror", "chwef", "chwe"),
    ("mawrth", "fawrth", "maw"),
    ("ebrill", "ebr"),
    ("mai", "fai"),
    ("mehefin", "fehefin", "meh"),
    ("gorffennaf", "orffennaf", "ngorffennaf", "gorff", "gor"),
    ("awst", "aws"),
    ("medi", "fedi", "med"),
    ("hydref", "hyd"),
    ("tachwedd", "dachwedd", "nhachwedd", "tach"),
    ("rhagfyr", "ragfyr", "rhag"),
)
MONTHS_CY: Mapping[str, int] = {
    spelling: month
    for month, spellings in enumerate(_WELSH_MONTH_SPELLINGS, start=1)
    for spelling in spellings
}
#: Welsh ordinal endings typed after a day's number: 1af, 2il, 3ydd, 5ed, 7fed, 11eg, 21ain
ORDINAL_ENDINGS_CY = ("af", "il", "ydd", "ed", "fed", "eg", "ain")

#: relative days by the number of days before today (negative: after)
RELATIVE_DAYS: Mapping[str, int] = {
    "today": 0,
    "heddiw": 0,
    "yesterday": 1,
    "ddoe": 1,
    "doe": 1,
    "echdoe": 2,
    "tomorrow": -1,
    "yfory": -1,
    "fory": -1,
}
#: small numbers written as words before "diwrnod yn ôl" (with their mutated forms)
WELSH_NUMBERS: Mapping[str, int] = {
    "un": 1,
    "dau": 2,
    "ddau": 2,
    "tri": 3,
    "dri": 3,
    "pedwar": 4,
    "bedwar": 4,
    "pump": 5,
    "pum": 5,
    "chwech": 6,
    "chwe": 6,
    "saith": 7,
}
#: "3 diwrnod yn ôl", "dau ddiwrnod yn ôl", "5 niwrnod yn ôl", "diwrnod yn ôl" (after `fold`)
WELSH_DAYS_AGO = re.compile(
    r"(?:(?P<n>[0-9]{1,4}|" + "|".join(WELSH_NUMBERS) + r") )?"
    r"(?:diwrnod|ddiwrnod|niwrnod|diwrnodau) yn ol"
)

# -- choices ------------------------------------------------------------------------------------

#: what may be typed in Welsh for each option of each choice question, by field key and value:
#: the option's Welsh label first, then the short forms people use
CHOICES_CY: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "legal_basis": {
        "order": ("Gorchymyn llys (SHPO, SRO, SOPO)", "gorchymyn llys", "gorchymyn"),
        "licence": ("Amod trwydded", "trwydded", "gwasanaeth prawf", "prawf"),
        "voluntary": (
            "Gwirfoddol, gyda chydsyniad ysgrifenedig",
            "cydsyniad gwirfoddol",
            "gwirfoddol",
            "yn wirfoddol",
            "cydsyniad",
            "caniatâd",
        ),
    },
    "order_type": {
        "shpo": ("Gorchymyn Atal Niwed Rhywiol (SHPO)", "gorchymyn atal niwed rhywiol"),
        "interim_shpo": (
            "Gorchymyn Atal Niwed Rhywiol Interim",
            "gorchymyn atal niwed rhywiol dros dro",
            "dros dro",
        ),
        "sro": ("Gorchymyn Risg Rhywiol (SRO)", "gorchymyn risg rhywiol"),
        "interim_sro": ("Gorchymyn Risg Rhywiol Interim", "gorchymyn risg rhywiol dros dro"),
        "sopo": ("Gorchymyn Atal Troseddau Rhywiol (SOPO)", "gorchymyn atal troseddau rhywiol"),
    },
    "mappa_category": {
        "1": (
            "Categori 1: troseddwr rhyw cofrestredig",
            "categori 1",
            "categori un",
            "un",
        ),
        "2": (
            "Categori 2: troseddwyr treisgar a throseddwyr rhyw eraill",
            "categori 2",
            "categori dau",
            "dau",
        ),
        "3": (
            "Categori 3: troseddwyr peryglus eraill",
            "categori 3",
            "categori tri",
            "tri",
        ),
        "4": (
            "Categori 4: troseddwyr terfysgol a throseddwyr risg terfysgol",
            "categori 4",
            "categori pedwar",
            "pedwar",
        ),
    },
    "mappa_level": {
        "1": ("Lefel 1: rheolaeth asiantaeth gyffredin", "lefel 1", "lefel un", "un"),
        "2": ("Lefel 2: rheolaeth amlasiantaethol weithredol", "lefel 2", "lefel dau", "dau"),
        "3": (
            "Lefel 3: rheolaeth amlasiantaethol weithredol, goruchwyliaeth uwch",
            "lefel 3",
            "lefel tri",
            "tri",
        ),
    },
    "rosh_level": {
        "low": ("Isel",),
        "medium": ("Canolig", "cymedrol"),
        "high": ("Uchel",),
        "very_high": ("Uchel iawn",),
    },
    "device_type": {
        "phone": ("Ffôn", "ffôn symudol", "ffôn clyfar", "symudol", "ffôn llaw"),
        "tablet": ("Tabled", "llechen"),
        "laptop": ("Gliniadur", "cyfrifiadur glin"),
        "desktop": ("Cyfrifiadur bwrdd gwaith", "bwrdd gwaith", "cyfrifiadur"),
        "games_console": ("Consol gemau", "consol", "consol gemau fideo"),
        "smart_tv": ("Teledu clyfar", "teledu"),
        "other": ("Arall",),
    },
    "device_ownership": {
        "subject": (
            "Y person (ei eiddo ef neu hi yn unig)",
            "y person",
            "ei eiddo",
            "eiddo'r person",
            "ei hun",
            "eu hun",
        ),
        "third_party": ("Trydydd parti", "rhywun arall", "person arall", "ffrind", "teulu"),
        "shared": ("Wedi'i rhannu ag eraill", "wedi'i rhannu", "a rennir", "ar y cyd", "rhannu"),
        "employer": ("Cyflogwr", "gwaith", "dyfais waith", "cwmni"),
    },
    # the force configures its products; their names are the same in both languages
    "monitoring_software": {
        "other": ("Cynnyrch cymeradwy arall", "cynnyrch arall", "arall"),
    },
    "yes_no": {"yes": YES_CY, "no": NO_CY},
}


AnOption = TypeVar("AnOption", bound=Any)


def with_welsh(key: str, options: Iterable[AnOption]) -> tuple[AnOption, ...]:
    """`options` (flows.fields.Option) with their Welsh spellings, CHOICES_CY[key], added to
    their synonyms."""
    welsh = CHOICES_CY.get(key, {})
    return tuple(
        replace(option, synonyms=(*option.synonyms, *welsh.get(option.value, ())))
        for option in options
    )
