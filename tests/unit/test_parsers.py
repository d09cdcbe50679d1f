"""The parsers in flows.parsers: accepted forms, normalisation, and specific refusals.

Check digits (IMEI Luhn, PNC check letter) are computed here independently of the code under
test, from their published definitions, so a wrong implementation cannot agree with itself.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.errors import InvalidAnswer
from flows.fields import Option
from flows.parsers import (
    clean_text,
    parse_choice,
    parse_date,
    parse_imeis,
    parse_pnc_id,
    parse_reference,
    parse_serial,
    parse_text,
    parse_whole_number,
    parse_yes_no,
    require_after_today,
    require_from_today,
    require_not_before,
    require_not_future,
)

TODAY = date(2026, 11, 30)


def refusal(call: Callable[..., object], *args: object, **kwargs: object) -> str:
    with pytest.raises(InvalidAnswer) as caught:
        call(*args, **kwargs)
    return caught.value.message


# --- independent check-digit computations -----------------------------------------------------


def luhn_check_digit(body: str) -> str:
    """The digit that completes `body` (14 digits for an IMEI) under the Luhn algorithm."""
    # Counting from the right of the complete number, every second digit is doubled: for an
    # even-length body that is each digit at an odd index from the left.
    weights = [2 if i % 2 else 1 for i in range(len(body))] if len(body) % 2 == 0 else None
    assert weights is not None, "only even-length bodies are used here"
    total = sum(sum(divmod(int(d) * w, 10)) for d, w in zip(body, weights, strict=True))
    return str(-total % 10)


def make_imei(rng: random.Random) -> str:
    body = "".join(rng.choice("0123456789") for _ in range(14))
    return body + luhn_check_digit(body)


def pnc_letter(year: int, serial: int) -> str:
    return "ZABCDEFGHJKLMNPQRTUVWXY"[int(str(year)[-2:] + str(serial).zfill(7)) % 23]


RNG = random.Random(20261130)
IMEIS = [make_imei(RNG) for _ in range(20)]
PNC_CASES = [(RNG.randint(1950, 2026), RNG.randint(0, 9_999_999)) for _ in range(40)]


def test_the_independent_luhn_matches_the_published_imei_example() -> None:
    assert luhn_check_digit("35209900176148") == "1"


def test_the_independent_pnc_letter_matches_a_hand_computed_example() -> None:
    # 23 * 5217445 = 120001235, so 120001234 leaves 22: the 23rd letter of the table, "Y".
    assert 120001234 % 23 == 22
    assert pnc_letter(2012, 1234) == "Y"


# --- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-01",
        "01/03/2026",
        "1/3/2026",
        "1 Mar 2026",
        "1 March 2026",
        "01-03-2026",
        "01.03.2026",
        "  1 MARCH 2026 ",
        "1st March 2026",
        "1 mar. 2026",
        "1-Mar-2026",
    ],
)
def test_a_date_in_any_usual_uk_form_is_understood_day_first(text: str) -> None:
    assert parse_date(text, TODAY) == date(2026, 3, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", TODAY),
        (" TODAY ", TODAY),
        ("Yesterday", TODAY - timedelta(days=1)),
        ("tomorrow", TODAY + timedelta(days=1)),
    ],
)
def test_relative_dates_are_taken_from_the_given_today(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


def test_the_29th_of_february_is_accepted_in_a_leap_year() -> None:
    assert parse_date("29/02/2028", TODAY) == date(2028, 2, 29)


@pytest.mark.parametrize(
    ("text", "days"),
    [("31/02/2026", "28"), ("29 Feb 2026", "28"), ("31/04/2026", "30"), ("2026-06-31", "30")],
)
def test_an_impossible_date_is_refused_saying_it_is_not_real(text: str, days: str) -> None:
    message = refusal(parse_date, text, TODAY)
    assert "not a real date" in message
    assert f"has {days} days" in message


def test_a_month_over_12_is_refused_with_a_reminder_that_the_day_comes_first() -> None:
    message = refusal(parse_date, "03/25/2026", TODAY)
    assert "no month 25" in message
    assert "day first" in message


def test_a_two_digit_year_is_refused_rather_than_guessed() -> None:
    assert "four digits" in refusal(parse_date, "01/03/26", TODAY)


def test_an_implausibly_early_year_is_refused() -> None:
    assert "typing mistake" in refusal(parse_date, "01/03/0026", TODAY)


def test_an_unknown_month_name_is_refused_with_the_accepted_spellings() -> None:
    message = refusal(parse_date, "1 Smarch 2026", TODAY)
    assert "month name" in message
    assert "1 Mar 2026" in message


@pytest.mark.parametrize("text", ["next week", "2026/03/01", "1 3 2026", "01/03-2026"])
def test_text_that_is_not_a_date_is_refused_with_examples(text: str) -> None:
    message = refusal(parse_date, text, TODAY)
    assert "not recognised as a date" in message
    assert "01/03/2026" in message


def test_an_empty_date_asks_for_one() -> None:
    assert "Please type a date" in refusal(parse_date, "   ", TODAY)


def test_a_future_date_is_refused_where_it_must_have_happened() -> None:
    message = refusal(require_not_future, TODAY + timedelta(days=1), TODAY, "The date acquired")
    assert message.startswith("The date acquired cannot be in the future")
    assert "1 December 2026" in message
    assert require_not_future(TODAY, TODAY) == TODAY


def test_a_date_before_an_earlier_answer_is_refused_naming_both() -> None:
    message = refusal(require_not_before, date(2026, 3, 1), date(2026, 3, 2), "the date acquired")
    assert "1 March 2026 is before the date acquired (2 March 2026)" in message
    assert require_not_before(date(2026, 3, 2), date(2026, 3, 2), "x") == date(2026, 3, 2)


def test_today_is_not_after_today_and_the_reason_is_given() -> None:
    message = refusal(require_after_today, TODAY, TODAY, "an expired order cannot be the basis.")
    assert "is not after today" in message
    assert message.endswith("an expired order cannot be the basis.")
    assert require_after_today(TODAY + timedelta(days=1), TODAY, "x") > TODAY


def test_a_date_from_today_is_limited_to_the_days_ahead() -> None:
    assert require_from_today(TODAY, TODAY, 90) == TODAY
    assert require_from_today(TODAY + timedelta(days=90), TODAY, 90)
    assert "more than 90 days ahead" in refusal(
        require_from_today, TODAY + timedelta(days=91), TODAY, 90
    )
    assert "in the past" in refusal(require_from_today, TODAY - timedelta(days=1), TODAY, 90)


SHORT_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(9999, 12, 31)))
def test_every_real_date_parses_back_from_each_written_form(day: date) -> None:
    month = SHORT_MONTHS[day.month - 1]
    for text in (
        day.isoformat(),
        f"{day.day:02d}/{day.month:02d}/{day.year}",
        f"{day.day}/{day.month}/{day.year}",
        f"{day.day} {month} {day.year}",
    ):
        assert parse_date(text, TODAY) == day


# --- yes/no -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("yes", True), ("Y", True), (" YES ", True), ("no", False), ("N", False), ("No", False)],
)
def test_yes_and_no_are_understood_in_any_case(text: str, expected: bool) -> None:
    assert parse_yes_no(text) is expected


@pytest.mark.parametrize("text", ["", "maybe", "yes please", "0"])
def test_anything_else_than_yes_or_no_is_refused(text: str) -> None:
    assert refusal(parse_yes_no, text) == "Please answer yes or no (y or n also work)."


# --- choices ----------------------------------------------------------------------------------

OPTIONS = (Option("low", "Low"), Option("very_high", "Very high"), Option("third_party", "Other"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("low", "low"),
        ("LOW", "low"),
        ("very_high", "very_high"),
        ("Very High", "very_high"),
        ("very-high", "very_high"),
        ("  very   high ", "very_high"),
        ("other", "third_party"),
        ("third party", "third_party"),
        ("1", "low"),
        ("2", "very_high"),
        ("03", "third_party"),
    ],
)
def test_a_choice_is_found_by_value_label_or_number_in_any_case(text: str, expected: str) -> None:
    assert parse_choice(text, OPTIONS) == expected


def test_a_numeric_value_wins_over_a_position() -> None:
    options = (Option("2", "Two"), Option("1", "One"))
    assert parse_choice("1", options) == "1"


@pytest.mark.parametrize("text", ["", "medium", "0", "4", "999999"])
def test_an_unknown_choice_is_refused_listing_the_numbered_options(text: str) -> None:
    message = refusal(parse_choice, text, OPTIONS)
    assert "1. Low\n2. Very high\n3. Other" in message


# --- PNC IDs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("year", "serial"), PNC_CASES)
def test_a_pnc_id_with_a_matching_check_letter_is_normalised_in_every_form(
    year: int, serial: int
) -> None:
    letter = pnc_letter(year, serial)
    normal = f"{year}/{serial:07d}{letter}"
    short_year = str(year)[-2:]
    forms = [
        normal,
        f"{year}/{serial}{letter}",
        f"{year}{serial:07d}{letter}",
        f" {year} / {serial:07d} {letter.lower()} ",
    ]
    # A two-digit year means this century unless that is in the future.
    if year >= 2000 or 2000 + int(short_year) > TODAY.year:
        forms += [f"{short_year}/{serial}{letter}", f"{short_year}{serial:07d}{letter}"]
    for text in forms:
        assert parse_pnc_id(text, TODAY) == normal, text


@pytest.mark.parametrize(("year", "serial"), PNC_CASES[:10])
def test_every_wrong_check_letter_is_refused(year: int, serial: int) -> None:
    right = pnc_letter(year, serial)
    for letter in "ABCDEFGHJKLMNPQRTUVWXYZ".replace(right, ""):
        message = refusal(parse_pnc_id, f"{year}/{serial:07d}{letter}", TODAY)
        assert "check letter does not match" in message


@pytest.mark.parametrize(("year", "serial"), PNC_CASES[:10])
def test_any_single_mistyped_serial_digit_is_caught_by_the_check_letter(
    year: int, serial: int
) -> None:
    digits = f"{serial:07d}"
    letter = pnc_letter(year, serial)
    for i in range(7):
        for replacement in "0123456789".replace(digits[i], ""):
            typo = digits[:i] + replacement + digits[i + 1 :]
            assert pnc_letter(year, int(typo)) != letter  # the property the check relies on
            with pytest.raises(InvalidAnswer):
                parse_pnc_id(f"{year}/{typo}{letter}", TODAY)


def test_the_check_letter_message_does_not_reveal_the_right_letter() -> None:
    # Two IDs whose right letters differ get the very same message.
    assert pnc_letter(2012, 1234) != pnc_letter(2013, 1234)
    wrong = "A" if "A" not in (pnc_letter(2012, 1234), pnc_letter(2013, 1234)) else "B"
    first = refusal(parse_pnc_id, f"2012/0001234{wrong}", TODAY)
    second = refusal(parse_pnc_id, f"2013/0001234{wrong}", TODAY)
    assert first == second


def test_a_two_digit_year_is_this_century_unless_that_is_in_the_future() -> None:
    assert parse_pnc_id(f"26/1{pnc_letter(2026, 1)}", TODAY).startswith("2026/")
    assert parse_pnc_id(f"27/1{pnc_letter(1927, 1)}", TODAY).startswith("1927/")
    assert parse_pnc_id(f"99/1{pnc_letter(1999, 1)}", TODAY).startswith("1999/")
    assert parse_pnc_id(f"00/1{pnc_letter(2000, 1)}", TODAY).startswith("2000/")


def test_a_four_digit_year_in_the_future_is_refused() -> None:
    message = refusal(parse_pnc_id, f"2027/0000001{pnc_letter(2027, 1)}", TODAY)
    assert "2027" in message
    assert "future" in message


@pytest.mark.parametrize(
    "text",
    ["", "2012/12345678Y", "2012/Y", "201/0001234Y", "20120001234", "2012-0001234Y", "12345Y"],
)
def test_a_malformed_pnc_id_is_refused_with_the_format_and_an_example(text: str) -> None:
    message = refusal(parse_pnc_id, text, TODAY)
    assert "year, a slash, up to seven digits and a letter" in message
    assert "2012/0001234Y" in message


@given(
    st.integers(min_value=1900, max_value=TODAY.year), st.integers(min_value=0, max_value=9999999)
)
def test_any_valid_pnc_id_is_normalised_and_stays_so(year: int, serial: int) -> None:
    normal = f"{year}/{serial:07d}{pnc_letter(year, serial)}"
    assert parse_pnc_id(normal.lower(), TODAY) == normal
    assert parse_pnc_id(normal.replace("/", ""), TODAY) == normal


# --- IMEIs ------------------------------------------------------------------------------------


def test_the_published_example_imei_is_accepted_in_each_grouping() -> None:
    for text in (
        "352099001761481",
        "35-209900-176148-1",
        "35 209900 176148 1",
        " 352099001761481 ",
    ):
        assert parse_imeis(text) == ["352099001761481"]


@pytest.mark.parametrize("imei", IMEIS)
def test_a_generated_imei_with_its_luhn_digit_is_accepted(imei: str) -> None:
    assert parse_imeis(imei) == [imei]
    grouped = f"{imei[:2]}-{imei[2:8]}-{imei[8:14]}-{imei[14]}"
    assert parse_imeis(grouped) == [imei]


@pytest.mark.parametrize("separator", [", ", ",", " , ", "; ", "\n", " ", "  "], ids=repr)
def test_two_imeis_of_a_dual_sim_phone_are_split(separator: str) -> None:
    first, second = IMEIS[0], IMEIS[1]
    assert parse_imeis(first + separator + second) == [first, second]


def test_two_grouped_imeis_separated_by_a_comma_are_split() -> None:
    first, second = IMEIS[2], IMEIS[3]
    text = f"{first[:2]} {first[2:8]} {first[8:]}, {second[:2]}-{second[2:]}"
    assert parse_imeis(text) == [first, second]


@pytest.mark.parametrize("imei", IMEIS[:5])
def test_every_wrong_check_digit_is_refused(imei: str) -> None:
    for digit in "0123456789".replace(imei[-1], ""):
        wrong = imei[:-1] + digit
        message = refusal(parse_imeis, wrong)
        assert f"The IMEI (ending {wrong[-4:]}) fails its check digit" in message
        assert wrong not in message  # only the last four digits are ever shown
        assert "15 digits" in message


def test_the_message_says_which_imei_fails_its_check_digit() -> None:
    good = IMEIS[4]
    bad = IMEIS[5][:-1] + str((int(IMEIS[5][-1]) + 1) % 10)
    assert "The 2nd IMEI" in refusal(parse_imeis, f"{good}, {bad}")
    assert "The 1st IMEI" in refusal(parse_imeis, f"{bad}, {good}")


@pytest.mark.parametrize(("text", "count"), [("35209900176148", 14), ("3520990017614812", 16)])
def test_an_imei_of_the_wrong_length_is_refused_with_its_digit_count(text: str, count: int) -> None:
    message = refusal(parse_imeis, text)
    assert f"has {count} digits" in message
    assert "An IMEI is 15 digits" in message


def test_an_imei_with_letters_is_refused() -> None:
    assert "other than digits" in refusal(parse_imeis, "35209900176148A")


def test_the_same_imei_twice_is_refused() -> None:
    message = refusal(parse_imeis, f"{IMEIS[6]}, {IMEIS[6]}")
    assert "The 2nd IMEI is the same as the 1st" in message


def test_more_imeis_than_a_device_has_are_refused() -> None:
    assert "at most 4" in refusal(parse_imeis, ", ".join(IMEIS[:5]))


def test_none_means_no_imei_only_where_allowed() -> None:
    assert parse_imeis(" None ", allow_none=True) == []
    assert "A phone always has an IMEI" in refusal(parse_imeis, "none")


@pytest.mark.parametrize("text", ["", " , ", "-"])
def test_an_empty_imei_answer_asks_for_the_imei(text: str) -> None:
    assert "Please type the IMEI" in refusal(parse_imeis, text)
    assert "Type none" in refusal(parse_imeis, text, allow_none=True)


@given(st.lists(st.text(alphabet="0123456789", min_size=14, max_size=14), min_size=1, max_size=4))
def test_any_list_of_distinct_luhn_valid_imeis_round_trips(bodies: list[str]) -> None:
    imeis = list(dict.fromkeys(b + luhn_check_digit(b) for b in bodies))
    assert parse_imeis(", ".join(imeis)) == imeis
    assert parse_imeis(" ".join(imeis)) == imeis


# --- text -------------------------------------------------------------------------------------


def test_text_is_trimmed_and_its_inner_whitespace_collapsed() -> None:
    assert parse_text("  Samsung \t Galaxy\nA15 ", 2, 100, "x") == "Samsung Galaxy A15"


def test_multiline_text_keeps_its_lines_and_tabs() -> None:
    assert parse_text(" line one\r\n\tline two \n", 1, 100, "x", multiline=True) == (
        "line one\n\tline two"
    )


def test_control_and_direction_override_characters_are_removed() -> None:
    assert clean_text("A\x00B\x07C\u202eD\u2066E", multiline=False) == "ABCDE"
    assert clean_text("A\x1b[31mB", multiline=True) == "A[31mB"


def test_text_outside_the_limits_is_refused_saying_the_limits_and_its_length() -> None:
    message = refusal(parse_text, "A", 2, 100, "Samsung Galaxy A15")
    assert "between 2 and 100 characters; that answer has 1" in message
    assert "Samsung Galaxy A15" in message
    assert "that answer has 101" in refusal(parse_text, "x" * 101, 2, 100, "e")


def test_empty_text_is_refused_with_an_example() -> None:
    message = refusal(parse_text, " \x00 ", 1, 2000, "Device shared at weekends.")
    assert "up to 2000 characters" in message
    assert "Device shared at weekends." in message


@given(st.text())
def test_cleaning_text_twice_changes_nothing(text: str) -> None:
    for multiline in (True, False):
        once = clean_text(text, multiline)
        assert clean_text(once, multiline) == once


# --- numbers, serials, references -------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [("1", 1), (" 28 ", 28), ("07", 7), ("DEFAULT", 3)])
def test_a_whole_number_in_range_or_default_is_accepted(text: str, expected: int) -> None:
    assert parse_whole_number(text, 1, 28, default=3) == expected


@pytest.mark.parametrize("text", ["0", "29", "-1", "3.5", "three", "", "default x", "9" * 5000])
def test_a_number_out_of_range_or_not_whole_is_refused_with_the_range(text: str) -> None:
    message = refusal(parse_whole_number, text, 1, 28, default=3)
    assert "whole number from 1 to 28, or default for 3" in message


def test_default_is_not_a_number_when_there_is_no_default() -> None:
    message = refusal(parse_whole_number, "default", 1, 28)
    assert "default" not in message


@pytest.mark.parametrize(
    ("text", "expected"), [(" r58m12abc3d ", "R58M12ABC3D"), ("ab-12", "AB-12"), ("1234", "1234")]
)
def test_a_serial_number_is_trimmed_and_upper_cased(text: str, expected: str) -> None:
    assert parse_serial(text) == expected


@pytest.mark.parametrize("text", ["R58M 12AB", "R58M_12", "ÄBCD", "ﬁxyz", "AB/12"])
def test_a_serial_with_other_characters_is_refused(text: str) -> None:
    assert "only letters, digits and hyphens" in refusal(parse_serial, text)


@pytest.mark.parametrize(("text", "length"), [("ABC", 3), ("A" * 31, 31)])
def test_a_serial_of_the_wrong_length_is_refused_with_its_length(text: str, length: int) -> None:
    assert f"4 to 30 characters; that one has {length}" in refusal(parse_serial, text)


def test_an_empty_serial_says_where_to_find_it() -> None:
    assert "label" in refusal(parse_serial, "")


def test_a_reference_is_upper_cased_and_matched_against_the_whole_pattern() -> None:
    pattern = r"^[A-Z0-9][A-Z0-9/-]{3,19}$"
    assert parse_reference(" nom/1234 ", pattern, "ViSOR ref", "NOM/1") == "NOM/1234"
    message = refusal(parse_reference, "NOM/1234\nX", pattern, "ViSOR ref", "NOM/1234567")
    assert "not a ViSOR ref in this force's format" in message
    assert "NOM/1234567" in message
