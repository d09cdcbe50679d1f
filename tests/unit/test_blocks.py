"""The Block Kit builders of bot/blocks: what officers and supervisors see in Slack.

Pure: requests are driven through the real conversation with a fixed clock (or filled with
normalised answers), rendered, and every message and modal is checked against Slack's limits.
User text must never ping, link or format; IMEIs are only ever shown by their last four digits.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import ids
from bot.blocks import approval as approval_blocks
from bot.blocks import card as card_blocks
from bot.blocks import conversation as conversation_blocks
from bot.blocks import dashboard, reminders
from bot.blocks.text import Message, escape, escape_within, long_text_blocks, mask_imei, shown
from flows.approval import decide
from flows.catalogue import build_catalogue
from flows.clock import FixedClock
from flows.config import FlowConfig
from flows.conversation import Conversation
from flows.fields import FieldKind
from flows.flags import compute_flags, describe_flag
from flows.models import MonitoringRequest
from flows.outputs import (
    AnswerRejected,
    AnswersDropped,
    FieldHelp,
    InfoReplyRecorded,
    Notice,
    Output,
    Question,
    Summary,
)
from flows.rounds import begin_round, record_reply
from tests.support.block_kit import MAX_MESSAGE_TEXT, validate_blocks, validate_view

#: Wednesday 20 May 2026, 10:00 in London (BST, one hour ahead of UTC)
T0 = datetime(2026, 5, 20, 9, 0, tzinfo=UTC)
TODAY = date(2026, 5, 20)
LONDON = ZoneInfo("Europe/London")
CONFIG = FlowConfig()
CATALOGUE = build_catalogue(CONFIG)

OFFICER = "U0OFFICER"
SUPERVISOR = "U0SUPER"
LEADS = "S0LEADS"
DECIDERS = (SUPERVISOR, LEADS)
#: the only mentions the bot itself writes in these tests
OUR_MENTIONS = (f"<@{OFFICER}>", f"<@{SUPERVISOR}>", f"<!subteam^{LEADS}>")
CHANNEL = "G0PRIVATE"
THREAD = "1779267600.000100"
CARD_TS = "1779267700.000200"
REQUEST_ID = "MR-42"

#: everything an officer could type that Slack would otherwise act on
NASTY = "<!channel> <!here> <@U123> <https://x|y> & co"
LIVE_MARKUP = ("<!channel>", "<!here>", "<@U123>", "<https://x|y>", "& co")
#: parts of NASTY that no text of ours contains
TYPED_PIECES = ("!channel", "!here", "U123", "https://x", "x|y", "& co")
NASTY_SHOWN = "&lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt; &lt;https://x|y&gt; &amp; co"

IMEI_1 = "352099001761481"
IMEI_2 = "490154203237518"
#: 2000 characters, the most licence_condition and notes accept, all of them escaped by Slack rules
LONG_MARKUP = ("<&>" * 667)[:2000]

#: a `&` that does not start a whole entity: user text left raw, or an entity cut in half
BROKEN_ENTITY = re.compile(r"&(?!amp;|lt;|gt;)")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
FIFTEEN_DIGITS = re.compile(r"\d{15}")

COMMON = {
    "visor_ref": "nom/1234567",
    "pnc_id": "12/1234Y",
    "mappa_category": "1",
    "mappa_level": "2",
    "rosh_level": "high",
    "risk_assessment_date": "01/06/2025",
    "device_type": "phone",
    "device_make_model": "Samsung Galaxy A15",
    "device_os": "Android 14",
    "device_imei": f"35-209900-176148-1, {IMEI_2}",
    "device_serial": "r58m12abc3d",
    "device_ownership": "shared",
    "date_acquired": "1 May 2026",
    "date_notified": "19 May 2026",
    "monitoring_software": "esafe",
    "proposed_install_date": "1 June 2026",
    "other_users": "Partner, at weekends",
    "other_users_informed": "yes",
    "necessity": "Recent ARMS shows rising risk online; monitoring is the least intrusive step.",
    "rmp_reference": "RMP-2026-118",
    "notes": "Partner uses the phone at weekends.",
}
#: what an officer types, by legal basis (choices by their option value, so buttons can be used)
TYPED: dict[str, dict[str, str]] = {
    "order": {
        **COMMON,
        "legal_basis": "order",
        "order_type": "shpo",
        "order_reference": "T20257012",
        "order_court": "Leeds Crown Court",
        "order_date": "01/03/2025",
        "order_expiry": "indefinite",
        "order_notify_days": "default",
        "order_monitoring_clause": "no",
    },
    "licence": {
        **COMMON,
        "device_type": "laptop",
        "device_make_model": "Dell Latitude 5440",
        "device_os": "Windows 11",
        "device_ownership": "subject",
        "legal_basis": "licence",
        "licence_condition": "Must not use any device that can access the internet unless "
        "it is monitored.",
        "licence_expiry": "1 June 2030",
        "probation_practitioner": "Alex Smith, Leeds North PDU",
        "probation_request_date": "18/05/2026",
        "probation_crn": "x123456",
        "monitoring_software": "other",
        "notes": "skip",
    },
    "voluntary": {
        **COMMON,
        "device_type": "tablet",
        "device_imei": "none",
        "device_ownership": "subject",
        "legal_basis": "voluntary",
        "consent_obtained": "yes",
        "consent_informed": "yes",
        "consent_date": "19 May 2026",
        "consent_reference": "DOC-2026-0042",
        "consent_witness": "PC 1234 Jones",
    },
}
#: the free-text questions each basis asks, all of which accept NASTY
_COMMON_TEXT = ("device_make_model", "device_os", "necessity", "rmp_reference", "notes")
FREE_TEXT: dict[str, tuple[str, ...]] = {
    "order": (*_COMMON_TEXT, "other_users", "order_reference", "order_court"),
    "licence": (*_COMMON_TEXT, "licence_condition", "probation_practitioner"),
    "voluntary": (*_COMMON_TEXT, "consent_reference", "consent_witness"),
}
#: free text the approval card shows (notes are not on the card)
ON_CARD: dict[str, tuple[str, ...]] = {
    basis: tuple(k for k in keys if k not in ("notes", "necessity"))
    for basis, keys in FREE_TEXT.items()
}
BASES = tuple(TYPED)


# --- helpers ----------------------------------------------------------------------------------


def strings(value: Any) -> Iterator[str]:
    """Every string inside a Block Kit structure."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def everything(message: Message) -> str:
    return "\n".join([message.text, *strings(message.blocks)])


def assert_valid(message: Message) -> None:
    """Slack would accept it, and nothing in it is half an entity or raw user markup."""
    assert validate_blocks(message.blocks) == []
    assert message.text.strip() and len(message.text) <= MAX_MESSAGE_TEXT
    for text in [message.text, *strings(message.blocks)]:
        assert not BROKEN_ENTITY.search(text), text
        without_mentions = text
        for ours in OUR_MENTIONS:
            without_mentions = without_mentions.replace(ours, "")
        assert "<" not in without_mentions and ">" not in without_mentions, text


def assert_valid_view(view: dict[str, Any]) -> None:
    assert validate_view(view) == []


def rendered(outputs: list[Output]) -> list[Message]:
    messages = conversation_blocks.render(outputs)
    for message in messages:
        assert_valid(message)
    return messages


def block(message: Message, block_id: str) -> dict[str, Any]:
    found = [b for b in message.blocks if b.get("block_id") == block_id]
    assert len(found) == 1, f"{block_id} in {[b.get('block_id') for b in message.blocks]}"
    return found[0]


def text_of(message: Message, block_id: str) -> str:
    text = block(message, block_id)["text"]["text"]
    assert isinstance(text, str)
    return text


def block_ids(message: Message) -> list[str]:
    return [b["block_id"] for b in message.blocks if "block_id" in b]


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def split_text(message: Message, prefix: str, title: str) -> str:
    """The text long_text_blocks spread over `<prefix>:0`, `<prefix>:1`…, title removed."""
    parts: dict[int, str] = {}
    for candidate in message.blocks:
        match = re.fullmatch(rf"{re.escape(prefix)}:(\d+)", candidate.get("block_id", ""))
        if match:
            parts[int(match[1])] = candidate["text"]["text"]
    assert parts and sorted(parts) == list(range(len(parts))), sorted(parts)
    heading = f"*{title}*\n"
    assert parts[0].startswith(heading)
    parts[0] = parts[0][len(heading) :]
    return "".join(parts[n] for n in range(len(parts)))


def facts_of(card: Message) -> str:
    """The approval card's own text (sections and their fields), without the long free-text
    blocks (`<name>:<n>`) that hold answers in full."""
    texts = []
    for b in card.blocks:
        if b["type"] != "section" or re.search(r":\d+$", b.get("block_id", "")):
            continue
        texts.append(b["text"]["text"])
        texts += [f["text"] for f in b.get("fields", [])]
    return "\n".join(texts)


def sections_joined(message: Message) -> str:
    return "".join(b["text"]["text"] for b in message.blocks if b["type"] == "section")


@dataclass
class Drive:
    request: MonitoringRequest
    conversation: Conversation
    #: every message the officer was shown on the way, in order
    messages: list[Message]
    last: list[Output]


def new_conversation() -> Conversation:
    return Conversation(CATALOGUE, CONFIG, FixedClock(T0))


def answer_button(messages: list[Message], key: str, typed: str) -> dict[str, Any] | None:
    """The button of the question just asked whose value is what the officer would type."""
    for message in reversed(messages):
        if ids.question_block(key) in block_ids(message):
            if ids.answer_actions_block(key) not in block_ids(message):
                return None
            actions = block(message, ids.answer_actions_block(key))
            return next((b for b in actions["elements"] if b["value"] == typed), None)
    raise AssertionError(f"question {key} was never shown")


def drive(typed: dict[str, str]) -> Drive:
    """A whole request as an officer makes it: buttons where the answer is on one, else typing."""
    conversation = new_conversation()
    request = MonitoringRequest(OFFICER, CHANNEL, T0, request_id=REQUEST_ID, thread_ts=THREAD)
    outputs = conversation.start(request)
    messages = rendered(outputs)
    while request.state == "collecting":
        key = request.current_field
        assert key is not None
        clicked = answer_button(messages, key, typed[key])
        if clicked is not None:
            match = ids.ANSWER_ACTION_PATTERN.match(clicked["action_id"])
            assert match is not None and match["key"] == key
            assert match["value"] == clicked["value"]
            outputs = conversation.handle_choice(request, match["key"], match["value"], OFFICER)
        else:
            outputs = conversation.handle_text(request, typed[key], OFFICER)
        refused = [o.message for o in outputs if isinstance(o, AnswerRejected)]
        assert not refused, f"{key}: {refused}"
        messages += rendered(outputs)
    assert request.state == "confirming"
    return Drive(request, conversation, messages, outputs)


def typed_for(basis: str, **changes: str) -> dict[str, str]:
    return {**TYPED[basis], **changes}


def summary_of(driven: Drive) -> Message:
    [message] = rendered(driven.last)
    assert ids.SUMMARY_BLOCK in block_ids(message)
    return message


def card_for(request: MonitoringRequest) -> Message:
    card = approval_blocks.approval_card(request, CATALOGUE, DECIDERS, tz=LONDON)
    assert_valid(card)
    return card


def submitted(driven: Drive) -> Message:
    driven.conversation.submit(driven.request, OFFICER)
    assert driven.request.state == "awaiting_approval"
    return card_for(driven.request)


def filled(basis: str, **answers: Any) -> MonitoringRequest:
    """A request at its summary with normalised answers, without the conversation."""
    base: dict[str, Any] = {
        "visor_ref": "NOM/1234567",
        "pnc_id": None,
        "mappa_category": "4",
        "mappa_level": "3",
        "rosh_level": "very_high",
        "risk_assessment_date": "2025-06-01",
        "device_type": "phone",
        "device_make_model": "Samsung Galaxy A15",
        "device_os": "Android 14",
        "device_imei": [IMEI_1, IMEI_2],
        "device_ownership": "third_party",
        "date_acquired": "2026-05-01",
        "date_notified": "2026-05-19",
        "monitoring_software": "other",
        "proposed_install_date": "2026-06-01",
        "other_users": "Their brother",
        "other_users_informed": True,
        "necessity": "Recent ARMS shows rising risk online; monitoring is the least intrusive step.",
        "rmp_reference": None,
        "notes": None,
    }
    by_basis: dict[str, dict[str, Any]] = {
        "order": {
            "order_type": "interim_shpo",
            "order_reference": "T20257012",
            "order_court": "Leeds Crown Court",
            "order_date": "2025-03-01",
            "order_expiry": "indefinite",
            "order_notify_days": 3,
            "order_monitoring_clause": False,
        },
        "licence": {
            "licence_condition": "Must not use any device unless it is monitored.",
            "licence_expiry": "2030-06-01",
            "probation_practitioner": "Alex Smith, Leeds North PDU",
            "probation_request_date": "2026-05-18",
            "probation_crn": "X123456",
        },
        "voluntary": {
            "consent_obtained": True,
            "consent_informed": True,
            "consent_date": "2026-05-19",
            "consent_reference": "DOC-2026-0042",
            "consent_witness": None,
        },
    }
    values = {**base, "legal_basis": basis, **by_basis[basis], **answers}
    request = MonitoringRequest(
        OFFICER, CHANNEL, T0, request_id=REQUEST_ID, thread_ts=THREAD, state="confirming"
    )
    request.answers = {f.key: values[f.key] for f in CATALOGUE.applicable(values)}
    request.flags = compute_flags(request.answers, TODAY, CONFIG)
    return request


def summary_for(request: MonitoringRequest) -> Message:
    message = conversation_blocks.summary_message(new_conversation().summary(request))
    assert_valid(message)
    return message


def decided(
    request: MonitoringRequest,
    outcome: str = "rejected",
    reason: str | None = "Not enough detail",
    at: datetime = datetime(2026, 6, 1, 13, 2, tzinfo=UTC),
) -> Message:
    card = approval_blocks.decided_card(request, CATALOGUE, outcome, SUPERVISOR, at, reason, LONDON)
    assert_valid(card)
    return card


# --- escaping ---------------------------------------------------------------------------------


def test_escaping_turns_mentions_links_and_ampersands_into_entities() -> None:
    assert escape(NASTY) == NASTY_SHOWN
    assert escape("&amp;") == "&amp;amp;"


@given(st.text())
def test_escaped_text_never_holds_angle_brackets_and_unescapes_to_the_original(text: str) -> None:
    escaped = escape(text)
    assert "<" not in escaped and ">" not in escaped
    assert not BROKEN_ENTITY.search(escaped)
    assert unescape(escaped) == text


@given(st.text(alphabet="<&>ab", max_size=400), st.integers(min_value=2, max_value=300))
def test_shortened_escaped_text_fits_its_limit_and_never_cuts_an_entity(
    text: str, limit: int
) -> None:
    shortened = escape_within(text, limit)
    assert len(shortened) <= limit and not BROKEN_ENTITY.search(shortened)
    if shortened == escape(text):
        return
    assert shortened.endswith("…") and text.startswith(unescape(shortened[:-1]))


@pytest.mark.parametrize("basis", BASES)
def test_free_text_answers_are_shown_escaped_in_the_summary(basis: str) -> None:
    driven = drive(typed_for(basis, **dict.fromkeys(FREE_TEXT[basis], NASTY)))
    summary = text_of(summary_of(driven), ids.SUMMARY_BLOCK)
    for key in FREE_TEXT[basis]:
        assert f"*{CATALOGUE.get(key).label}:* {NASTY_SHOWN}" in summary
    for live in LIVE_MARKUP:
        assert live not in everything(summary_of(driven))


@pytest.mark.parametrize("basis", BASES)
def test_free_text_answers_are_shown_escaped_on_the_approval_card(basis: str) -> None:
    driven = drive(typed_for(basis, **dict.fromkeys(FREE_TEXT[basis], NASTY)))
    card = submitted(driven)
    facts = facts_of(card)
    assert facts.count(NASTY_SHOWN) == len(ON_CARD[basis])
    for live in LIVE_MARKUP:
        assert live not in everything(card)


def test_a_reason_is_shown_escaped_on_the_decided_card_and_in_the_officers_notice() -> None:
    request = filled("order")
    card = decided(request, "rejected", NASTY)
    assert f"_Reason:_ {NASTY_SHOWN}" in text_of(card, ids.DECISION_BLOCK)
    for outcome in ("rejected", "info_requested", "approved"):
        notice = approval_blocks.decision_notice(request, outcome, SUPERVISOR, NASTY)
        assert_valid(notice)
        assert f"_Reason:_ {NASTY_SHOWN}" in text_of(notice, "decision_notice")
        for live in LIVE_MARKUP:
            assert live not in everything(notice)


def test_a_reason_at_its_longest_is_shown_in_full_on_the_decided_card_and_to_the_officer() -> None:
    request = filled("order")
    card = decided(request, "rejected", LONG_MARKUP)
    assert "Reason" in text_of(card, ids.DECISION_BLOCK)
    assert escape(LONG_MARKUP) in sections_joined(card)
    notice = approval_blocks.decision_notice(request, "rejected", SUPERVISOR, LONG_MARKUP)
    assert_valid(notice)
    assert escape(LONG_MARKUP) in sections_joined(notice)


def test_long_text_blocks_escape_what_they_show() -> None:
    blocks = long_text_blocks("Notes", NASTY * 3, "full:notes")
    message = Message(text="notes", blocks=blocks)
    assert_valid(message)
    assert split_text(message, "full:notes", "Notes") == escape(NASTY * 3)


def test_the_current_answer_shown_with_a_question_again_is_escaped() -> None:
    driven = drive(typed_for("order", notes=NASTY))
    outputs = driven.conversation.edit(driven.request, "notes", OFFICER)
    [message] = rendered(outputs)
    assert f"_Current answer:_ {NASTY_SHOWN}" in text_of(message, ids.question_block("notes"))


@pytest.mark.parametrize(
    "key", ["visor_ref", "pnc_id", "mappa_category", "risk_assessment_date", "device_imei"]
)
def test_help_and_refusals_never_echo_what_was_typed(key: str) -> None:
    typed = dict(TYPED["order"])
    conversation = new_conversation()
    request = MonitoringRequest(OFFICER, CHANNEL, T0, request_id=REQUEST_ID, thread_ts=THREAD)
    conversation.start(request)
    while request.current_field != key:
        conversation.handle_text(request, typed[request.current_field or ""], OFFICER)
    for _ in range(CONFIG.strikes_before_hint):
        [message] = rendered(conversation.handle_text(request, NASTY, OFFICER))
        assert block_ids(message) == [ids.error_block(key)]
        error = text_of(message, ids.error_block(key))
        for piece in TYPED_PIECES:
            assert piece not in error
    [help_message] = rendered(conversation.handle_text(request, "help", OFFICER))
    assert f"help:{key}" in block_ids(help_message)
    for piece in TYPED_PIECES:
        assert piece not in everything(help_message)


def test_a_notice_that_quotes_what_was_typed_is_escaped() -> None:
    driven = drive(TYPED["order"])
    outputs = driven.conversation.handle_text(driven.request, f"edit {NASTY}", OFFICER)
    notice, summary = rendered(outputs)
    assert NASTY_SHOWN in text_of(notice, "notice")
    assert ids.SUMMARY_BLOCK in block_ids(summary)
    for live in LIVE_MARKUP:
        assert live not in everything(notice)


# --- IMEIs ------------------------------------------------------------------------------------


def test_the_summary_shows_only_the_last_four_digits_of_each_imei() -> None:
    summary = summary_of(drive(TYPED["order"]))
    assert "*IMEI:* ending 1481, ending 7518" in text_of(summary, ids.SUMMARY_BLOCK)
    assert not FIFTEEN_DIGITS.search(everything(summary))


def test_the_approval_and_decided_cards_show_only_the_last_four_digits_of_each_imei() -> None:
    driven = drive(TYPED["order"])
    card = submitted(driven)
    assert "IMEI ending 1481, ending 7518" in facts_of(card)
    assert not FIFTEEN_DIGITS.search(everything(card))
    assert not FIFTEEN_DIGITS.search(everything(decided(driven.request, "approved", None)))


def test_a_question_asked_again_shows_only_the_imei_ending_as_its_current_answer() -> None:
    driven = drive(TYPED["order"])
    [message] = rendered(driven.conversation.edit(driven.request, "device_imei", OFFICER))
    question = text_of(message, ids.question_block("device_imei"))
    assert "_Current answer:_ ending 1481, ending 7518" in question
    assert not FIFTEEN_DIGITS.search(everything(message))


def test_masking_keeps_only_the_last_four_digits() -> None:
    assert mask_imei(IMEI_1) == "ending 1481"
    assert shown(CATALOGUE.get("device_imei"), [IMEI_1]) == "ending 1481"
    assert shown(CATALOGUE.get("device_imei"), []) == "None"


# --- long answers -----------------------------------------------------------------------------


def test_a_long_licence_condition_and_long_notes_fit_the_summary_in_full() -> None:
    driven = drive(typed_for("licence", licence_condition=LONG_MARKUP, notes=LONG_MARKUP))
    summary = summary_of(driven)
    lines = text_of(summary, ids.SUMMARY_BLOCK)
    assert "*Licence condition:* &lt;&amp;&gt;" in lines and "_(in full below)_" in lines
    for key, label in (("licence_condition", "Licence condition"), ("notes", "Notes")):
        assert split_text(summary, f"full:{key}", label) == escape(LONG_MARKUP)
    assert block_ids(summary)[-1] == ids.SUMMARY_ACTIONS_BLOCK


def test_a_long_licence_condition_fits_the_approval_card_in_full() -> None:
    driven = drive(typed_for("licence", licence_condition=LONG_MARKUP, notes=LONG_MARKUP))
    card = submitted(driven)
    wording = split_text(card, "licence_wording", "Licence condition (full wording)")
    assert wording == escape(LONG_MARKUP)
    facts = facts_of(card)
    assert "Licence condition: &lt;&amp;&gt;" in facts
    assert "declared on submitting: I hold all relevant information" in facts
    assert block(card, ids.APPROVAL_ACTIONS_BLOCK)["type"] == "actions"


def test_a_preview_that_is_short_but_long_once_escaped_still_gets_the_full_wording() -> None:
    request = filled("licence", licence_condition="&" * 200)
    card = card_for(request)
    assert split_text(card, "licence_wording", "Licence condition (full wording)") == "&amp;" * 200


@pytest.mark.parametrize("basis", BASES)
def test_every_free_text_answer_at_its_longest_leaves_the_card_facts_whole(basis: str) -> None:
    """Free text at its maximum length, all of it markup, must not push the attestation and the
    flags off the end of the approval block."""
    longest = {
        "device_make_model": 100,
        "device_os": 60,
        "order_reference": 60,
        "order_court": 100,
        "licence_condition": 2000,
        "probation_practitioner": 100,
        "consent_reference": 60,
        "notes": 2000,
        "necessity": 1000,
        "rmp_reference": 60,
        "other_users": 300,
        "consent_witness": 100,
    }
    answers = {key: "&" * longest[key] for key in FREE_TEXT[basis]}
    request = filled(basis, risk_assessment_date="2020-01-01", **answers)
    facts = facts_of(card_for(request))
    assert "declared on submitting: I hold all relevant information" in facts
    for key, detail in request.flags.items():
        assert escape(describe_flag(key, detail)) in facts
    summary = text_of(summary_for(request), ids.SUMMARY_BLOCK)
    for key, detail in request.flags.items():
        assert escape(describe_flag(key, detail)) in summary
    assert "*By submitting you declare:* I hold all relevant information" in summary
    decided(request, "rejected", "<&>" * 666)


@st.composite
def markup_text(draw: st.DrawFn, min_size: int = 1) -> str:
    """Free text of any length up to 2000, long ones as likely as short ones."""
    length = draw(st.integers(min_value=min_size, max_value=2000))
    unit = draw(st.text(alphabet="<&>x \n", min_size=1, max_size=40))
    return (unit * (length // len(unit) + 1))[:length]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(condition=markup_text(min_size=10), notes=markup_text(), reason=markup_text())
def test_any_long_text_renders_within_limits_with_no_entity_cut(
    condition: str, notes: str, reason: str
) -> None:
    request = filled("licence", licence_condition=condition, notes=notes)
    summary = summary_for(request)
    for key, value in (("licence_condition", condition), ("notes", notes)):
        if len(escape(value)) > conversation_blocks.LONG_ANSWER:
            label = CATALOGUE.get(key).label
            assert split_text(summary, f"full:{key}", label) == escape(value)
        else:
            assert escape(value) in text_of(summary, ids.SUMMARY_BLOCK)
    card = card_for(request)
    assert "*Officer:*" in facts_of(card)
    assert escape(condition) in sections_joined(card)
    finished = decided(request, "rejected", reason)
    assert escape(reason) in sections_joined(finished)
    notice = approval_blocks.decision_notice(request, "rejected", SUPERVISOR, reason)
    assert_valid(notice)
    assert escape(reason) in sections_joined(notice)


@given(
    title=st.text(alphabet="abcdefghijklmnopqrstuvwxyz ()", min_size=1, max_size=40),
    text=st.text(alphabet="<&>ab\n", max_size=4000),
)
def test_long_text_blocks_never_cut_an_entity_and_lose_nothing(title: str, text: str) -> None:
    blocks = long_text_blocks(title, text, "full:notes")
    assert len(blocks) == len({b["block_id"] for b in blocks})
    assert validate_blocks(blocks) == []
    for piece in blocks:
        assert not BROKEN_ENTITY.search(piece["text"]["text"])
    joined = "".join(b["text"]["text"] for b in blocks)
    assert joined == f"*{title}*\n{escape(text)}"


# --- ids --------------------------------------------------------------------------------------


@pytest.mark.parametrize("basis", BASES)
def test_every_question_has_its_block_and_choice_questions_their_answer_buttons(
    basis: str,
) -> None:
    driven = drive(TYPED[basis])
    asked = set()
    for message in driven.messages:
        for block_id in block_ids(message):
            if not block_id.startswith("q:"):
                continue
            key = block_id.removeprefix("q:")
            field = CATALOGUE.get(key)
            asked.add(key)
            if field.kind == FieldKind.YES_NO:
                expected = ["yes", "no"]
            else:
                expected = [option.value for option in field.options]
            if not expected:
                assert ids.answer_actions_block(key) not in block_ids(message)
                continue
            actions = block(message, ids.answer_actions_block(key))
            assert [b["value"] for b in actions["elements"]] == expected
            for button in actions["elements"]:
                assert button["action_id"] == f"answer:{key}:{button['value']}"
                match = ids.ANSWER_ACTION_PATTERN.match(button["action_id"])
                assert match is not None
                assert (match["key"], match["value"]) == (key, button["value"])
    assert asked == {f.key for f in CATALOGUE.applicable(driven.request.answers)}


def test_a_rejected_answer_gets_a_short_error_reply_without_the_question_again() -> None:
    conversation = new_conversation()
    request = MonitoringRequest(OFFICER, CHANNEL, T0, request_id=REQUEST_ID, thread_ts=THREAD)
    conversation.start(request)
    conversation.handle_text(request, "NOM/1234567", OFFICER)
    conversation.handle_text(request, "skip", OFFICER)
    [message] = rendered(conversation.handle_text(request, "maybe", OFFICER))
    assert block_ids(message) == [ids.error_block("legal_basis")]
    error = text_of(message, ids.error_block("legal_basis"))
    assert error.startswith(":warning:") and "for example 1" in error


@pytest.mark.parametrize("basis", BASES)
def test_the_summary_has_its_block_and_submit_edit_and_cancel(basis: str) -> None:
    driven = drive(TYPED[basis])
    summary = summary_of(driven)
    assert block_ids(summary)[0] == ids.SUMMARY_BLOCK
    actions = block(summary, ids.SUMMARY_ACTIONS_BLOCK)
    submit, edit, cancel = actions["elements"]
    assert (submit["action_id"], submit["style"]) == (ids.REQUEST_SUBMIT, "primary")
    assert (cancel["action_id"], cancel["style"]) == (ids.REQUEST_CANCEL, "danger")
    assert (edit["type"], edit["action_id"]) == ("static_select", ids.REQUEST_EDIT)
    applicable = CATALOGUE.applicable(driven.request.answers)
    assert [o["value"] for o in edit["options"]] == [f.key for f in applicable]
    assert [o["text"]["text"] for o in edit["options"]] == [
        f"{n}. {f.label}" for n, f in enumerate(applicable, start=1)
    ]
    lines = text_of(summary, ids.SUMMARY_BLOCK)
    for number, field in enumerate(applicable, start=1):
        assert f"{number}. *{field.label}:*" in lines
    for key, detail in driven.request.flags.items():
        assert escape(describe_flag(key, detail)) in lines
        assert key not in lines  # people read words, never keys
    submit_confirm = submit["confirm"]["text"]["text"]
    assert "I hold all relevant information about this person" in submit_confirm


def test_the_approval_card_has_its_block_and_approve_reject_and_more_info_buttons() -> None:
    driven = drive(TYPED["order"])
    card = submitted(driven)
    notes = ["notes:0"] if driven.request.answers.get("notes") else []
    assert block_ids(card) == [
        ids.APPROVAL_TITLE_BLOCK,
        "approval_header",
        ids.APPROVAL_FLAGS_BLOCK,
        ids.APPROVAL_BLOCK,
        ids.APPROVAL_BASIS_BLOCK,
        ids.APPROVAL_DEADLINE_BLOCK,
        "necessity:0",
        ids.APPROVAL_ATTESTATION_BLOCK,
        *notes,
        "card_round:1",
        ids.APPROVAL_ACTIONS_BLOCK,
    ]
    title = block(card, ids.APPROVAL_TITLE_BLOCK)
    assert title["type"] == "header" and REQUEST_ID in title["text"]["text"]
    # the flags come first, in words with their facts
    flags = text_of(card, ids.APPROVAL_FLAGS_BLOCK)
    assert (
        "The person notified police of the device late: 16 days after the deadline, by 3 May "
        "2026 (3 days beginning with 1 May)." in flags
    )
    assert "The order has no clause allowing monitoring software" in flags
    # key facts are two-column fields
    fields = [f["text"] for f in block(card, ids.APPROVAL_BLOCK)["fields"]]
    assert 2 <= len(fields) <= 10
    assert "*ViSOR ref:* NOM/1234567" in fields and "*RoSH:* High" in fields
    deadline = text_of(card, ids.APPROVAL_DEADLINE_BLOCK)
    assert "*Notification deadline:* by 3 May 2026: 3 days beginning with 1 May." in deadline
    assert "Notified 19 May 2026: 16 days late." in deadline
    header = text_of(card, "approval_header")
    assert f"<@{SUPERVISOR}>" in header and f"<!subteam^{LEADS}>" in header
    assert f"<@{SUPERVISOR}>" in card.text and REQUEST_ID in card.text
    approve, reject, more = block(card, ids.APPROVAL_ACTIONS_BLOCK)["elements"]
    assert (approve["action_id"], approve["style"]) == (ids.APPROVAL_APPROVE, "primary")
    assert "confirm" not in approve  # the Approve dialog is the confirmation
    assert (reject["action_id"], reject["style"]) == (ids.APPROVAL_REJECT, "danger")
    assert more["action_id"] == ids.APPROVAL_MORE_INFO and "style" not in more
    assert {b["value"] for b in (approve, reject, more)} == {REQUEST_ID}
    facts = facts_of(card)
    for expected in (
        f"*Request:* {REQUEST_ID}",
        "*ViSOR ref:* NOM/1234567",
        "*PNC:* 2012/0001234Y",
        "Category 1: registered sexual offender",
        "*RoSH:* High",
        "Order type: Sexual Harm Prevention Order (SHPO)",
        "Monitoring clause: No",
        "The person notified police of the device late",
        "The order has no clause allowing monitoring software",
        "The device is not solely the person's",
        f"<@{OFFICER}> declared on submitting: I hold all relevant information",
        "by 3 May 2026: 3 days beginning with 1 May",
        "*Other users:* Partner, at weekends (told of monitoring)",
        "RMP RMP-2026-118",
    ):
        assert expected in facts


@pytest.mark.parametrize(
    ("outcome", "shown_as"),
    [
        ("approved", "Approved"),
        ("rejected", "Rejected"),
        ("info_requested", "More information requested"),
        ("withdrawn", "Withdrawn"),
        ("superseded", "Superseded"),
    ],
)
def test_a_decided_card_has_no_buttons_and_says_who_decided_when_and_why(
    outcome: str, shown_as: str
) -> None:
    request = filled("licence", licence_condition="<&>" * 200)
    card = decided(request, outcome, f"Because {NASTY}")
    assert all(b["type"] != "actions" for b in card.blocks)
    assert block_ids(card)[-1] == ids.DECISION_BLOCK
    decision = text_of(card, ids.DECISION_BLOCK)
    assert shown_as in decision
    assert f"by <@{SUPERVISOR}>" in decision
    # 13:02 UTC on 1 June is 14:02 in London (BST)
    assert "at 14:02 on 1 June 2026" in decision
    assert f"_Reason:_ Because {NASTY_SHOWN}" in decision
    assert f"<@{SUPERVISOR}>" not in text_of(card, "approval_header")
    assert "licence_wording:0" in block_ids(card)


def test_a_decision_time_in_winter_is_shown_in_london_time() -> None:
    winter = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    card = decided(filled("order"), "approved", None, at=winter)
    decision = text_of(card, ids.DECISION_BLOCK)
    assert "at 10:00 on 30 November 2026" in decision and "Reason" not in decision


@pytest.mark.parametrize(
    ("decision", "title"), [("reject", "Reject request"), ("request_info", "Request more info")]
)
def test_the_reason_modal_carries_its_ids_and_the_request_in_private_metadata(
    decision: str, title: str
) -> None:
    view = approval_blocks.reason_modal(REQUEST_ID, decision, CARD_TS, CHANNEL, THREAD)
    assert_valid_view(view)
    assert view["callback_id"] == ids.REASON_VIEW
    assert view["title"]["text"] == title
    [reason] = [b for b in view["blocks"] if b["type"] == "input"]
    assert reason["block_id"] == ids.REASON_BLOCK
    assert reason["element"]["action_id"] == ids.REASON_ACTION
    assert reason["element"]["type"] == "plain_text_input"
    assert json.loads(view["private_metadata"]) == {
        "id": REQUEST_ID,
        "decision": decision,
        "card": CARD_TS,
        "round": "",
        "channel": CHANNEL,
        "thread": THREAD,
    }


def test_the_approve_modal_lists_the_flags_and_asks_for_a_comment_and_a_review_date() -> None:
    request = filled("order", order_monitoring_clause=False)
    request.state, request.approval_round = "awaiting_approval", 1
    view = approval_blocks.approve_modal(request, date(2026, 8, 20), CARD_TS, CHANNEL, THREAD)
    assert_valid_view(view)
    assert view["callback_id"] == ids.APPROVE_VIEW
    intro = next(b for b in view["blocks"] if b.get("block_id") == ids.APPROVE_INTRO_BLOCK)
    assert "no clause allowing monitoring software" in intro["text"]["text"]
    comment, review = [b for b in view["blocks"] if b["type"] == "input"]
    assert (comment["block_id"], comment["element"]["action_id"]) == (
        ids.COMMENT_BLOCK,
        ids.COMMENT_ACTION,
    )
    assert comment["optional"] is True and "optional" not in review
    assert (review["block_id"], review["element"]["action_id"]) == (
        ids.REVIEW_DATE_BLOCK,
        ids.REVIEW_DATE_ACTION,
    )
    assert review["element"] == {
        "type": "datepicker",
        "action_id": ids.REVIEW_DATE_ACTION,
        "initial_date": "2026-08-20",
    }
    assert json.loads(view["private_metadata"]) == {
        "id": REQUEST_ID,
        "card": CARD_TS,
        "round": "",
        "channel": CHANNEL,
        "thread": THREAD,
    }


def test_an_approved_card_shows_the_review_date_and_the_comment_escaped_in_full() -> None:
    request = filled("order")
    request.review_date = date(2026, 8, 20)
    request.decision_comment = NASTY
    card = approval_blocks.decided_card(
        request, CATALOGUE, "approved", SUPERVISOR, T0, None, LONDON
    )
    assert_valid(card)
    assert "Review by:_ 20 August 2026" in text_of(card, ids.DECISION_BLOCK)
    assert NASTY_SHOWN in text_of(card, f"{ids.DECISION_COMMENT_BLOCK}:0")


def test_an_approval_notice_offers_mark_as_installed_and_a_rejection_does_not() -> None:
    request = filled("order")
    approved = approval_blocks.decision_notice(request, "approved", SUPERVISOR, None)
    assert_valid(approved)
    assert f"<@{OFFICER}>" in text_of(approved, "decision_notice")
    [button] = block(approved, ids.INSTALL_ACTIONS_BLOCK)["elements"]
    assert (button["action_id"], button["value"]) == (ids.INSTALLATION_CONFIRM, REQUEST_ID)
    rejected = approval_blocks.decision_notice(request, "rejected", SUPERVISOR, "No clause")
    assert_valid(rejected)
    assert all(b["type"] != "actions" for b in rejected.blocks)


def test_the_installed_notice_says_who_and_when_in_london_time() -> None:
    request = filled("order")
    request.installed_at = datetime(2026, 6, 1, 13, 2, tzinfo=UTC)
    notice = approval_blocks.installed_notice(request, OFFICER, LONDON)
    assert_valid(notice)
    assert f"by <@{OFFICER}> at 14:02 on 1 June 2026" in text_of(notice, "installed")


def test_the_parent_message_and_reminders_are_valid_and_marked() -> None:
    request = filled("order")
    parent = dashboard.parent_message(request, DECIDERS)
    assert_valid(parent)
    assert "OFFICIAL-SENSITIVE" in text_of(parent, "request_header")
    assert f"<@{OFFICER}>" in text_of(parent, "request_header")
    question = Question(CATALOGUE.get("device_imei"), 10, 25, [IMEI_1], True)
    messages = [
        reminders.idle_reminder(request, question),
        reminders.idle_reminder(request, None),
        reminders.abandoned(request),
        reminders.approval_reminder(request, DECIDERS),
        reminders.escalated(request, DECIDERS),
        reminders.expired(request, "the order has expired"),
        reminders.lapsed(request, "the licence has ended"),
        reminders.install_reminder(request),
    ]
    for message in messages:
        assert_valid(message)
        assert not FIFTEEN_DIGITS.search(everything(message))
    assert ids.question_block("device_imei") in block_ids(messages[0])


# --- render -----------------------------------------------------------------------------------


def test_render_puts_a_question_in_a_message_of_its_own() -> None:
    field = CATALOGUE.get("order_monitoring_clause")
    outputs: list[Output] = [
        AnswerRejected(field, "Please answer yes or no (y or n also work).", True),
        Question(field, 21, 24),
    ]
    message, question = rendered(outputs)
    assert block_ids(message) == [ids.error_block(field.key)]
    assert block_ids(question)[:2] == [
        ids.question_block(field.key),
        ids.answer_actions_block(field.key),
    ]
    assert conversation_blocks.question_key(question) == field.key
    assert conversation_blocks.question_key(message) is None
    error = text_of(message, ids.error_block(field.key))
    # the message already holds the example (yes), so it is not repeated; the hint is added
    assert "Please answer yes or no" in error and "_Example:_" not in error
    assert "`help`" in error
    assert message.text.startswith("Please answer yes or no")


def test_render_puts_a_summary_in_a_message_of_its_own() -> None:
    driven = drive(TYPED["licence"])
    summary = driven.conversation.summary(driven.request)
    field = CATALOGUE.get("notes")
    outputs: list[Output] = [
        AnswersDropped(("Notes",), "they no longer fit"),
        Notice("Done."),
        summary,
        Question(field, 22, 22),
    ]
    before, own, after = rendered(outputs)
    assert block_ids(before) == ["dropped", "notice"]
    assert block_ids(own)[0] == ids.SUMMARY_BLOCK
    assert block_ids(after)[0] == ids.question_block("notes")


def test_changing_the_legal_basis_says_what_was_dropped_with_the_next_question() -> None:
    driven = drive(TYPED["order"])
    driven.conversation.edit(driven.request, "legal_basis", OFFICER)
    dropped, message = rendered(
        driven.conversation.handle_choice(driven.request, "legal_basis", "voluntary", OFFICER)
    )
    assert block_ids(dropped) == ["dropped"]
    assert block_ids(message)[:2] == [
        ids.question_block("consent_obtained"),
        ids.answer_actions_block("consent_obtained"),
    ]
    assert "Order type" in text_of(dropped, "dropped")


def output_pool() -> list[Output]:
    fields = [CATALOGUE.get(k) for k in ("visor_ref", "device_type", "notes", "consent_obtained")]
    pool: list[Output] = [
        Notice("Nothing to do."),
        AnswersDropped(("Order type",), "they no longer fit"),
        InfoReplyRecorded(REQUEST_ID),
    ]
    for field in fields:
        pool += [
            Question(field, 1, 20),
            AnswerRejected(field, "That was not right."),
            FieldHelp(field),
        ]
    return pool


@given(st.lists(st.sampled_from(output_pool()), max_size=12))
def test_render_never_repeats_a_block_id_in_a_message(outputs: list[Output]) -> None:
    for message in rendered(outputs):
        assert len(block_ids(message)) == len(set(block_ids(message)))


@given(st.lists(st.sampled_from(["a", "a:1", "a:2", "a:1:2", "b", "b:3", None]), max_size=12))
def test_numbering_repeated_block_ids_always_leaves_them_unique(
    given_ids: list[str | None],
) -> None:
    blocks: list[dict[str, Any]] = [
        {"type": "divider", **({"block_id": i} if i else {})} for i in given_ids
    ]
    result = conversation_blocks.unique_ids(blocks)
    kept = [b["block_id"] for b in result if "block_id" in b]
    assert len(kept) == len(set(kept)) == len([i for i in given_ids if i])


# --- dates ------------------------------------------------------------------------------------


def test_dates_are_shown_the_uk_way_in_the_summary_and_on_the_card() -> None:
    driven = drive(TYPED["order"])
    summary = summary_of(driven)
    lines = text_of(summary, ids.SUMMARY_BLOCK)
    assert "*Proposed install date:* 1 June 2026" in lines
    assert "*Latest risk assessment:* 1 June 2025" in lines
    assert "*Order date:* 1 March 2025" in lines
    # acquired 1 May, 3 days to notify counting the first: the deadline was 3 May
    assert "16 days after the deadline, by 3 May 2026 (3 days beginning with 1 May)" in lines
    assert "*Notification deadline:* by 3 May 2026: 3 days beginning with 1 May" in lines
    card = submitted(driven)
    facts = facts_of(card)
    assert "proposed install 1 June 2026" in facts
    assert "*Risk assessment:* 1 June 2025" in facts
    assert "*Acquired / notified:* 1 May 2026 / 19 May 2026" in facts
    assert "after the deadline, by 3 May 2026" in facts
    for message in (summary, card, decided(driven.request, "approved", None)):
        assert not ISO_DATE.search(everything(message)), ISO_DATE.findall(everything(message))


# --- whole conversations ----------------------------------------------------------------------


@pytest.mark.parametrize("basis", BASES)
def test_every_message_of_a_whole_request_is_valid_block_kit(basis: str) -> None:
    """drive() checks each message as it is rendered; this also covers what follows submit."""
    driven = drive(TYPED[basis])
    assert len(driven.messages) == len(CATALOGUE.applicable(driven.request.answers)) + 1
    submitted(driven)
    for outcome in ("approved", "rejected", "info_requested", "withdrawn"):
        decided(driven.request, outcome, "Seen.")
    assert_valid_view(approval_blocks.reason_modal(REQUEST_ID, "reject", CARD_TS, CHANNEL, THREAD))
    [recorded] = rendered([InfoReplyRecorded(REQUEST_ID)])
    assert block_ids(recorded) == ["info_recorded"]
    assert isinstance(driven.last[0], Summary)


def test_the_officers_notes_are_on_the_approval_card_in_full_and_escaped() -> None:
    request = MonitoringRequest("U0OFFICER", "C0CHAN", datetime(2026, 11, 30, tzinfo=UTC))
    request.request_id = "MR-000042"
    request.answers = {"notes": "Partner <uses> the phone & " + "x" * 1500}
    card = approval_blocks.approval_card(request, build_catalogue(FlowConfig()), ("S0SUPS",))
    notes = [
        b["text"]["text"] for b in card.blocks if str(b.get("block_id", "")).startswith("notes:")
    ]
    assert notes and notes[0].startswith("*Officer's notes*")
    joined = "".join(notes)
    assert "Partner &lt;uses&gt; the phone &amp; " in joined and joined.endswith("x" * 100)


def test_a_resubmitted_card_says_who_asked_for_what_the_replies_and_what_changed() -> None:
    request = filled("voluntary", consent_reference="CONSENT-77", device_imei=[IMEI_1])
    request.state, request.approval_round = "awaiting_approval", 1
    begin_round(request, T0)
    decide(request, "request_info", SUPERVISOR, True, f"Which form? {NASTY}", T0, 1)
    record_reply(request, f"On file {NASTY}", T0)
    request.answers["consent_reference"] = "CONSENT-77/SIGNED"
    request.answers["device_imei"] = [IMEI_2]
    request.state, request.approval_round = "awaiting_approval", 2
    begin_round(request, T0)
    card = card_for(request)
    history = text_of(card, ids.APPROVAL_HISTORY_BLOCK)
    assert "round 2" in history
    assert f"requested by <@{SUPERVISOR}> at 10:00 on 20 May 2026" in history
    assert f"_Asked for:_ Which form? {NASTY_SHOWN}" in history
    assert split_text(card, ids.APPROVAL_REPLIES_BLOCK, "Officer's replies") == (
        f"On file {NASTY_SHOWN}"
    )
    changed = text_of(card, f"{ids.APPROVAL_CHANGES_BLOCK}:0")
    assert "Changed since round 1" in changed
    assert "CONSENT-77 → CONSENT-77/SIGNED" in changed
    assert "ending 1481 → ending 7518" in changed
    assert not FIFTEEN_DIGITS.search(everything(card))
    for live in LIVE_MARKUP:
        assert live not in everything(card)


def test_a_first_round_card_has_no_history_and_an_unchanged_resubmission_says_so() -> None:
    request = filled("order")
    request.state, request.approval_round = "awaiting_approval", 1
    begin_round(request, T0)
    assert ids.APPROVAL_HISTORY_BLOCK not in block_ids(card_for(request))
    decide(request, "request_info", SUPERVISOR, True, "Check the order", T0, 1)
    request.state, request.approval_round = "awaiting_approval", 2
    begin_round(request, T0)
    card = card_for(request)
    assert "no answers changed" in text_of(card, f"{ids.APPROVAL_CHANGES_BLOCK}:0")
    assert ids.APPROVAL_REPLIES_BLOCK + ":0" not in block_ids(card)


def test_the_officers_necessity_statement_is_on_the_card_in_full_and_escaped() -> None:
    request = filled("order")
    request.answers["necessity"] = LONG_MARKUP  # the officer's statement (flows' `necessity`)
    card = card_for(request)
    assert split_text(card, ids.NECESSITY_BLOCK, card_blocks.NECESSITY_TITLE) == escape(LONG_MARKUP)


def test_a_question_says_which_questions_may_be_answered_with_it() -> None:
    field = CATALOGUE.get("mappa_category")
    asked = Question(field, 11, 26, coming=("MAPPA level", "RoSH level"))
    _text, blocks = conversation_blocks.question_blocks(asked)
    body = blocks[0]["text"]["text"]
    assert "_Next:_ MAPPA level · RoSH level." in body
    assert "one a line" in body
    _text, alone = conversation_blocks.question_blocks(Question(field, 11, 26))
    assert "_Next:_" not in alone[0]["text"]["text"]


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (timedelta(minutes=1), "1 minute"),
        (timedelta(minutes=45), "45 minutes"),
        (timedelta(hours=4, minutes=5), "4 hours"),
        (timedelta(days=1), "1 day"),
        (timedelta(days=2, hours=3), "2 days 3 hours"),
    ],
)
def test_how_long_a_request_has_waited_is_said_in_words(delta: timedelta, words: str) -> None:
    assert reminders.waited(delta) == words


def test_a_reminder_says_how_long_it_waited_its_flags_and_links_to_the_card() -> None:
    request = filled("order")
    request.submitted_at = T0
    link = "https://mosovo.slack.com/archives/G0PRIVATE/p1"
    message = reminders.approval_reminder(request, DECIDERS, T0 + timedelta(hours=5), link)
    assert validate_blocks(message.blocks) == []  # the link is our own markup
    text = text_of(message, ids.REMINDER_BLOCK)
    assert "It has waited 5 hours" in text and f"<{link}|the approval card>" in text
    assert "The order has no clause allowing monitoring software" in text
    escalation = reminders.escalated(request, DECIDERS, T0 + timedelta(days=1), None)
    assert "the approval card above" in text_of(escalation, ids.ESCALATION_BLOCK)
    expired = reminders.expired(request, "no decision in time", DECIDERS)
    assert f"<@{SUPERVISOR}>" in text_of(expired, ids.EXPIRED_BLOCK)


def test_a_serial_number_is_masked_like_an_imei_on_the_summary_and_the_card() -> None:
    driven = drive(TYPED["licence"])  # a laptop: a serial number, no IMEI
    assert driven.request.answers["device_serial"] == "R58M12ABC3D"
    summary = everything(summary_of(driven))
    assert "ending C3D" not in summary and "ending BC3D" in summary
    assert "R58M12ABC3D" not in summary
    card = submitted(driven)
    assert "serial ending BC3D" in facts_of(card)
    assert "R58M12ABC3D" not in everything(card)
    assert CATALOGUE.get("device_serial").masked and CATALOGUE.get("device_imei").masked


def test_a_changed_serial_number_is_masked_in_the_list_of_changes() -> None:
    request = filled(
        "licence", device_type="laptop", device_imei=None, device_serial="SN-0001-AAAA"
    )
    request.answers.pop("device_imei", None)
    request.state, request.approval_round = "awaiting_approval", 1
    begin_round(request, T0)
    request.answers["device_serial"] = "SN-0002-BBBB"
    request.approval_round = 2
    begin_round(request, T0)
    changes = everything(card_for(request))
    assert "SN-0001" not in changes and "SN-0002" not in changes
    assert "ending AAAA" in changes and "ending BBBB" in changes
