"""Parsers for what an officer types: each returns a normalised value or raises InvalidAnswer.

Pure functions: no clock (callers pass `today`), no I/O. Messages are plain text that an officer
reads in the middle of a request, so each says what was wrong and shows a good answer. They never
repeat free text back (the bot layer decides how to render user text); at most they echo digits.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Protocol

from flows import words
from flows.errors import InvalidAnswer
from flows.i18n import N_, Translator, translator

#: (marked: a date is written with its month named in the reader's language)
MONTH_NAMES = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)
_MONTHS_BY_NAME = {name.lower(): i for i, name in enumerate(MONTH_NAMES, start=1)}
_MONTHS_BY_NAME |= {name[:3].lower(): i for i, name in enumerate(MONTH_NAMES, start=1)}
_MONTHS_BY_NAME["sept"] = 9
# Welsh month names too (words.MONTHS_CY, as typed), whatever the conversation's language (no spelling is in both tables)
_MONTHS_BY_NAME |= words.MONTHS_CY

#: years before this are typing mistakes, not dates anyone in a request could mean
EARLIEST_YEAR = 1900

DATE_FORMS = N_("01/03/2026, 1 Mar 2026, 2026-03-01, today, yesterday or 3 days ago")
#: how far back "N days ago" may reach: further than that, a calendar date is clearer
MAX_DAYS_AGO = 999
_DAYS_AGO = re.compile(r"(?P<n>[0-9]{1,4}|a|an|one|two|three|four|five|six|seven) days? ago")
_SMALL_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_SMALL_NUMBERS |= {"six": 6, "seven": 7}

# [0-9] rather than \d: \d also matches other scripts' digits, which int() would then accept.
_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_NUMERIC = re.compile(r"([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]+)")
_ORDINAL_ENDINGS = "|".join(("st", "nd", "rd", "th", *words.ORDINAL_ENDINGS_CY))
# "1st March 2026", "1 Mar. 2026", and in Welsh "1af Mawrth 2026" or "3ydd o Fawrth 2026"
_WORDY = re.compile(
    rf"([0-9]{{1,2}})(?:{_ORDINAL_ENDINGS})?[\s-]+(?:o[\s-]+)?([a-z]+)\.?,?[\s-]+([0-9]+)"
)


def month_name(month: int, language: str = "en") -> str:
    """A month's name in English or Welsh ("Mawrth"), 1 to 12, from the catalogue."""
    t = translator(language)
    return t(MONTH_NAMES[month - 1])


def format_date(value: date, language: str = "en") -> str:
    """A date as people write it in the UK, e.g. "1 March 2026", or in Welsh "1 Mawrth 2026"
    (day, month's name, year: the same form in both languages)."""
    return f"{value.day} {month_name(value.month, language)} {value.year}"


def _t(t: Translator | None) -> Translator:
    """The translator refusals are worded by (None: the default language's)."""
    return t or translator(None)


def parse_date(text: str, today: date, t: Translator | None = None) -> date:
    """A calendar date typed in any of the usual UK forms (day before month), with English or
    Welsh month names and relative days; refusals are worded by `t`."""
    t = _t(t)
    cleaned = words.fold(text)
    if not cleaned:
        raise InvalidAnswer(t("Please type a date, for example {forms}.", forms=t(DATE_FORMS)))
    if cleaned in words.RELATIVE_DAYS:  # today, heddiw, yesterday, ddoe…
        return today - timedelta(days=words.RELATIVE_DAYS[cleaned])
    if match := _DAYS_AGO.fullmatch(cleaned) or words.WELSH_DAYS_AGO.fullmatch(cleaned):
        number = match["n"] or "1"  # "diwrnod yn ôl": a day ago
        count = _SMALL_NUMBERS.get(number) or words.WELSH_NUMBERS.get(number) or int(number)
        if count > MAX_DAYS_AGO:
            raise InvalidAnswer(
                t(
                    "{n} days ago is too far back to count: type the date, for example 01/03/2026.",
                    n=count,
                )
            )
        return today - timedelta(days=count)
    if match := _ISO.fullmatch(cleaned):
        return _make_date(match[1], match[2], match[3], t)
    if match := _NUMERIC.fullmatch(cleaned):
        return _make_date(match[4], match[3], match[1], t)
    if match := _WORDY.fullmatch(cleaned):
        month = _MONTHS_BY_NAME.get(match[2])
        if month is None:
            raise InvalidAnswer(
                t(
                    "That month name was not recognised. Write the month in full or as its "
                    "first three letters, for example 1 Mar 2026 or 1 March 2026."
                )
            )
        return _make_date(match[3], str(month), match[1], t)
    raise InvalidAnswer(
        t(
            "That was not recognised as a date. Use day, month, year, for example {forms}.",
            forms=t(DATE_FORMS),
        )
    )


def _make_date(year_text: str, month_text: str, day_text: str, t: Translator) -> date:
    if len(year_text) != 4:
        # A two-digit year is ambiguous for dates of birth and old orders: ask rather than guess.
        raise InvalidAnswer(
            t("Please write the year in full with four digits, for example 01/03/2026.")
        )
    year, month, day = int(year_text), int(month_text), int(day_text)
    if year < EARLIEST_YEAR:
        raise InvalidAnswer(
            t("The year {year} looks like a typing mistake. Example: 01/03/2026.", year=year)
        )
    if not 1 <= month <= 12:
        raise InvalidAnswer(
            t(
                "There is no month {month}. Dates are day first, then month, then year: "
                "01/03/2026 is {example}.",
                month=month,
                example=format_date(date(2026, 3, 1), t.language),
            )
        )
    try:
        return date(year, month, day)
    except ValueError:
        days_in_month = calendar.monthrange(year, month)[1]
        raise InvalidAnswer(
            t(
                "{typed} is not a real date: {month} {year} has {days} days. Example: 01/03/2026.",
                typed=f"{day}/{month:02d}/{year}",
                month=month_name(month, t.language),
                year=year,
                days=days_in_month,
            )
        ) from None


# Date rules: each returns the date unchanged so a field's parser can chain them.


# `what` and `reason` are msgids (marked with N_ where they are written), worded by `t`.


def require_not_future(
    value: date, today: date, what: str = N_("This date"), t: Translator | None = None
) -> date:
    if value > today:
        t = _t(t)
        raise InvalidAnswer(
            t(
                "{what} cannot be in the future: {date} is after today ({today}). Type the date "
                "it happened, for example today or 01/03/2026.",
                what=t(what),
                date=format_date(value, t.language),
                today=format_date(today, t.language),
            )
        )
    return value


def require_not_before(
    value: date, earliest: date, reason: str, t: Translator | None = None
) -> date:
    """`reason` names the earlier date, e.g. "the date the device was acquired"."""
    if value < earliest:
        t = _t(t)
        raise InvalidAnswer(
            t(
                "{date} is before {reason} ({earliest}). Give a date on or after {earliest}.",
                date=format_date(value, t.language),
                reason=t(reason),
                earliest=format_date(earliest, t.language),
            )
        )
    return value


def require_after_today(value: date, today: date, reason: str, t: Translator | None = None) -> date:
    """`reason` says why a date of today or earlier is refused (e.g. an expired order)."""
    if value <= today:
        t = _t(t)
        raise InvalidAnswer(
            t(
                "{date} is not after today ({today}): {reason}",
                date=format_date(value, t.language),
                today=format_date(today, t.language),
                reason=t(reason),
            )
        )
    return value


def require_from_today(
    value: date, today: date, days_ahead: int, t: Translator | None = None
) -> date:
    """Today or later, and at most `days_ahead` days ahead."""
    latest = today + timedelta(days=days_ahead)
    t = _t(t) if not today <= value <= latest else t
    if value < today:
        assert t is not None
        raise InvalidAnswer(
            t(
                "{date} is in the past. Give today or a later date, up to {latest} ({days} days "
                "ahead).",
                date=format_date(value, t.language),
                latest=format_date(latest, t.language),
                days=days_ahead,
            )
        )
    if value > latest:
        assert t is not None
        raise InvalidAnswer(
            t(
                "{date} is more than {days} days ahead. Give a date from today to {latest}.",
                date=format_date(value, t.language),
                latest=format_date(latest, t.language),
                days=days_ahead,
            )
        )
    return value


def parse_yes_no(text: str) -> bool:
    answer = text.strip().lower()
    if answer in ("yes", "y"):
        return True
    if answer in ("no", "n"):
        return False
    raise InvalidAnswer("Please answer yes or no (y or n also work).")


class ChoiceOption(Protocol):
    """Anything with a stored value and a label (flows.fields.Option, config.SoftwareOption)."""

    @property
    def value(self) -> str: ...

    @property
    def label(self) -> str: ...


def choice_key(text: str) -> str:
    """What two spellings of one option have in common: case, spaces, `_`, `-` and `.` do not
    matter ("V. high"), nor accents ("ffon" is "ffôn"), nor an exclamation mark after it."""
    return words.spelling_key(text)


def parse_choice(
    text: str,
    options: Sequence[ChoiceOption],
    by_number: bool = True,
    t: Translator | None = None,
) -> str:
    """An option by value, label, synonym or 1-based number (value first: numeric values win)."""
    key = choice_key(text)
    for option in options:
        if key == choice_key(option.value):
            return option.value
    for option in options:
        spellings = (option.label, *getattr(option, "synonyms", ()))
        if key in {choice_key(spelling) for spelling in spellings}:
            return option.value
    if by_number and re.fullmatch(r"[0-9]{1,3}", key) and 1 <= int(key) <= len(options):
        return options[int(key) - 1].value
    listing = "\n".join(f"{i}. {option.label}" for i, option in enumerate(options, start=1))
    t = _t(t)
    raise InvalidAnswer(
        t(
            "Please choose one of these options by its number or its name, for example "
            "1:\n{listing}",
            listing=listing,
        )
    )


PNC_CHECK_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"
PNC_EXAMPLE = "2012/0001234Y"
# Without the slash the serial must be the full seven digits, or "2012123A" would be ambiguous
# (year 2012 serial 123, or year 20 serial 12123).
_PNC_SLASHED = re.compile(r"([0-9]{2}|[0-9]{4})/([0-9]{1,7})([A-Z])")
_PNC_UNSLASHED = re.compile(r"([0-9]{2}|[0-9]{4})([0-9]{7})([A-Z])")


def pnc_check_letter(year: int, serial: int) -> str:
    return PNC_CHECK_LETTERS[int(f"{year % 100:02d}{serial:07d}") % 23]


def parse_pnc_id(text: str, today: date, t: Translator | None = None) -> str:
    """A PNC ID, normalised to YYYY/NNNNNNNL; the check letter must match."""
    t = _t(t)
    compact = re.sub(r"\s+", "", text).upper()
    match = _PNC_SLASHED.fullmatch(compact) or _PNC_UNSLASHED.fullmatch(compact)
    if match is None:
        raise InvalidAnswer(
            t(
                "A PNC ID is the year, a slash, up to seven digits and a letter, for example "
                "{example} or 12/1234Y. Type skip if the person has no PNC ID.",
                example=PNC_EXAMPLE,
            )
        )
    year_text, serial_text, letter = match[1], match[2], match[3]
    if len(year_text) == 2:
        year = 2000 + int(year_text)
        if year > today.year:
            year -= 100
    else:
        year = int(year_text)
        if year > today.year:
            raise InvalidAnswer(
                t(
                    "The year {year} in that PNC ID is in the future. Example: {example}.",
                    year=year,
                    example=PNC_EXAMPLE,
                )
            )
        if year < EARLIEST_YEAR:
            raise InvalidAnswer(
                t(
                    "The year {year} in that PNC ID looks like a typing mistake. "
                    "Example: {example}.",
                    year=year,
                    example=PNC_EXAMPLE,
                )
            )
    serial = int(serial_text)
    # Deliberately not saying which letter would fit: a wrong digit also breaks the check, and
    # naming the "right" letter would invite copying it onto the wrong number.
    if letter != pnc_check_letter(year, serial):
        raise InvalidAnswer(
            t(
                "The check letter does not match the rest of that PNC ID, so a digit or the "
                "letter is probably mistyped. Copy it again from the PNC record, for example "
                "{example}.",
                example=PNC_EXAMPLE,
            )
        )
    return f"{year:04d}/{serial:07d}{letter}"


IMEI_EXAMPLE = "35-209900-176148-1"
IMEI_HELP_TEXT = N_(
    "An IMEI is 15 digits (dial *#06# on the device, or see its box or SIM tray), for example "
    "{example}. Separate two IMEIs with a comma."
)
IMEI_HELP = IMEI_HELP_TEXT.format(example=IMEI_EXAMPLE)
#: more than any real device has; stops a pasted list being taken as one device's IMEIs
MAX_IMEIS = 4


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        n = int(char)
        if i % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


#: "The 2nd IMEI" and the position on its own ("the 2nd"), for the positions a device may have
_WHICH_IMEI = {
    1: N_("The 1st IMEI"),
    2: N_("The 2nd IMEI"),
    3: N_("The 3rd IMEI"),
    4: N_("The 4th IMEI"),
}
_POSITIONS = {1: N_("1st"), 2: N_("2nd"), 3: N_("3rd"), 4: N_("4th")}


def parse_imeis(text: str, allow_none: bool = False, t: Translator | None = None) -> list[str]:
    """One or more IMEIs (dual SIM); `none` (`dim`) gives [] when the device may have none."""
    t = _t(t)
    help_text = t(IMEI_HELP_TEXT, example=IMEI_EXAMPLE)
    if words.is_keyword(text, "none"):
        if allow_none:
            return []
        raise InvalidAnswer(
            t(
                "A phone always has an IMEI, so none is not possible here. {help}",
                help=help_text,
            )
        )
    candidates: list[str] = []
    for chunk in re.split(r"[,;\n]+", text):
        # Spaces and hyphens group the digits of one IMEI ("35 209900 176148 1"), so they are
        # dropped first; a run of 30 digits is then two IMEIs typed with only a space between.
        digits = re.sub(r"[\s-]+", "", chunk)
        if not digits:
            continue
        if re.fullmatch(r"[0-9]+", digits) and len(digits) % 15 == 0:
            candidates.extend(digits[i : i + 15] for i in range(0, len(digits), 15))
        else:
            candidates.append(digits)
    if not candidates:
        if allow_none:
            raise InvalidAnswer(
                t(
                    "Please type the IMEI. {help} Type none if the tablet has no SIM and no IMEI.",
                    help=help_text,
                )
            )
        raise InvalidAnswer(t("Please type the IMEI. {help}", help=help_text))
    if len(candidates) > MAX_IMEIS:
        raise InvalidAnswer(
            t(
                "That is {count} IMEIs; one device has at most {most}. {help}",
                count=len(candidates),
                most=MAX_IMEIS,
                help=help_text,
            )
        )
    seen: list[str] = []
    for position, candidate in enumerate(candidates, start=1):
        which = t(_WHICH_IMEI[position]) if len(candidates) > 1 else t("The IMEI")
        if not re.fullmatch(r"[0-9]+", candidate):
            raise InvalidAnswer(
                t(
                    "{which} contains something other than digits, spaces or hyphens. {help}",
                    which=which,
                    help=help_text,
                )
            )
        if len(candidate) != 15:
            raise InvalidAnswer(
                t(
                    "{which} (ending {last4}) has {count} digits. {help}",
                    which=which,
                    last4=candidate[-4:],
                    count=len(candidate),
                    help=help_text,
                )
            )
        if not luhn_valid(candidate):
            raise InvalidAnswer(
                t(
                    "{which} (ending {last4}) fails its check digit (the last digit), so a digit "
                    "is probably mistyped. {help}",
                    which=which,
                    last4=candidate[-4:],
                    help=help_text,
                )
            )
        if candidate in seen:
            raise InvalidAnswer(
                t(
                    "{which} is the same as the {first}; give each IMEI once.",
                    which=which,
                    first=t(_POSITIONS[seen.index(candidate) + 1]),
                )
            )
        seen.append(candidate)
    return seen


# Bidirectional overrides and isolates can make a stored text read differently from what it
# holds (e.g. a reference that displays reversed on the approval card), so they are removed.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def clean_text(text: str, multiline: bool) -> str:
    """Text without control characters, trimmed; single-line text has its whitespace collapsed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept = "".join(
        char
        for char in text
        if char in "\n\t" or (unicodedata.category(char) != "Cc" and char not in _BIDI_CONTROLS)
    )
    if multiline:
        return kept.strip()
    return " ".join(kept.split())


def parse_text(
    text: str,
    min_length: int,
    max_length: int,
    example: str,
    multiline: bool = False,
    t: Translator | None = None,
) -> str:
    """Free text within its limits; `example` is shown as it is (already in the reader's
    language)."""
    value = clean_text(text, multiline)
    if value and min_length <= len(value) <= max_length:
        return value
    t = _t(t)
    limits = (
        t("up to {high} characters", high=max_length)
        if min_length <= 1
        else t("between {low} and {high} characters", low=min_length, high=max_length)
    )
    if not value:
        raise InvalidAnswer(
            t(
                "Please type an answer ({limits}), for example: {example}",
                limits=limits,
                example=example,
            )
        )
    raise InvalidAnswer(
        t(
            "Please give {limits}; that answer has {count}. For example: {example}",
            limits=limits,
            count=len(value),
            example=example,
        )
    )


def parse_whole_number(
    text: str, minimum: int, maximum: int, default: int | None = None, t: Translator | None = None
) -> int:
    answer = text.strip().lower()
    if default is not None and words.is_keyword(answer, "default"):
        return default
    # Bounded length: int() of a huge digit string is slow (and refused past 4300 digits).
    if not re.fullmatch(r"[0-9]{1,9}", answer) or not minimum <= int(answer) <= maximum:
        t = _t(t)
        if default is not None:
            raise InvalidAnswer(
                t(
                    "Please give a whole number from {low} to {high}, or default for {default}, "
                    "for example {default}.",
                    low=minimum,
                    high=maximum,
                    default=default,
                )
            )
        raise InvalidAnswer(
            t(
                "Please give a whole number from {low} to {high}, for example {low}.",
                low=minimum,
                high=maximum,
            )
        )
    return int(answer)


SERIAL_EXAMPLE = "R58M12ABC3D"
CRN_EXAMPLE = "X123456"


def parse_crn(text: str, t: Translator | None = None) -> str:
    """A probation case reference number (CRN): one letter and six digits, upper-cased."""
    value = re.sub(r"\s+", "", text).upper()
    if not re.fullmatch(r"[A-Z][0-9]{6}", value) or not value.isascii():
        t = _t(t)
        raise InvalidAnswer(
            t(
                "A probation case reference (CRN) is one letter and six digits, for example "
                "{example}. Copy it from the probation record (nDelius).",
                example=CRN_EXAMPLE,
            )
        )
    return value


def mask_last4(value: str, language: str = "en") -> str:
    """An IMEI or serial number as people may see it: only its last four characters."""
    t = translator(language)
    return t("ending {last4}", last4=value[-4:])


def parse_serial(text: str, t: Translator | None = None) -> str:
    t = _t(t)
    stripped = text.strip()
    value = stripped.upper()
    if not value:
        raise InvalidAnswer(
            t(
                "Please type the device's serial number, for example {example}. It is usually "
                "on a label underneath or in the device's settings.",
                example=SERIAL_EXAMPLE,
            )
        )
    # isascii first: str.upper() turns some non-ASCII letters into ASCII ones ("ﬁ" -> "FI").
    if not stripped.isascii() or not re.fullmatch(r"[A-Z0-9-]+", value):
        raise InvalidAnswer(
            t(
                "A serial number has only letters, digits and hyphens (no spaces or other "
                "characters), for example {example}.",
                example=SERIAL_EXAMPLE,
            )
        )
    if not 4 <= len(value) <= 30:
        raise InvalidAnswer(
            t(
                "A serial number has 4 to 30 characters; that one has {count}. For example "
                "{example}.",
                count=len(value),
                example=SERIAL_EXAMPLE,
            )
        )
    return value


def parse_reference(
    text: str, pattern: str, what: str, example: str, t: Translator | None = None
) -> str:
    """A reference in a force-configured format (e.g. ViSOR), trimmed and upper-cased; `what`
    is a msgid (marked with N_ where it is written)."""
    value = text.strip().upper()
    # fullmatch, because a pattern's `$` would also match before a trailing newline.
    if not re.fullmatch(pattern, value):
        t = _t(t)
        raise InvalidAnswer(
            t(
                "That is not a {what} in this force's format. Copy it from the record exactly, "
                "for example {example}.",
                what=t(what),
                example=example,
            )
        )
    return value
