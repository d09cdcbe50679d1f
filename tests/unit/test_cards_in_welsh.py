"""The card, the decisions and their dialogs in Welsh, in English, and in both one after the
other: every word comes from the catalogue (tests/support/i18n.py), and Slack would take them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bot import ids
from bot.blocks import approval as approval_blocks
from bot.blocks import dashboard, installation, reminders
from bot.blocks.home import home_view, refusal_modal, request_modal
from bot.blocks.text import Message, shown
from flows.catalogue import catalogue_for
from flows.conversation import DECLARATION
from flows.fields import Catalogue, FieldKind
from flows.i18n import LANGUAGES, translator
from flows.installation import OUTCOMES, REVIEW_OUTCOMES
from flows.models import MonitoringRequest
from flows.parsers import format_date
from flows.rounds import round_of
from tests.support.block_kit import validate_blocks, validate_view
from tests.support.i18n import assert_translated, marked_translations, plain
from tests.unit.test_blocks import CATALOGUE, DECIDERS, LONDON, SUPERVISOR, filled

AT = datetime(2026, 6, 1, 13, 2, tzinfo=UTC)
HOME_NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
#: msgids of the other domains not yet in their catalogues (emptied as they land)
PENDING: list[str] = []


def others_text(request: MonitoringRequest) -> list[str]:
    """What other domains' helpers still write in English on the card: answers as shown and
    field labels (flows, people), dates and the notification rule (the flags are worded in the
    reader's language, and checked)."""
    found = [DECLARATION]
    for key, value in request.answers.items():
        if key in CATALOGUE:
            field = CATALOGUE.get(key)
            found += [field.label, shown(field, value)]
    # the notification deadline, the dates and the times are worded in the reader's language
    # (month names from the catalogue), and checked
    if request.decision_comment:  # typed by the approver
        found.append(request.decision_comment)
    return found


def typed(request: MonitoringRequest) -> list[str]:
    """What people typed, shown as typed (free-text answers, the approver's comment). Not the choices' labels, dates, masked numbers or rules: the card words those
    itself, in each thread language."""
    found: list[str] = []
    for key, value in request.answers.items():
        if key in CATALOGUE and isinstance(value, str):
            field = CATALOGUE.get(key)
            if not (field.options or field.masked or field.kind == FieldKind.DATE):
                found.append(value)
    if request.decision_comment:
        found.append(request.decision_comment)
    return found


@contextmanager
def strictly_marked() -> Iterator[None]:
    """Marked translations with values checked (an English label, date or rule put into a
    Welsh sentence fails)."""
    with marked_translations(PENDING, values_checked=True):
        yield


def worded() -> Catalogue:
    """The questions as the bot has them (catalogue_for), worded within `strictly_marked`."""
    return catalogue_for(CATALOGUE.config)


def without_flags(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The blocks but the flags in words: welsh-text's flag_lines still words them in English,
    with English rules put into them (their own tests check them)."""
    return [
        b for b in blocks if not str(b.get("block_id", "")).startswith(ids.APPROVAL_FLAGS_BLOCK)
    ]


def check(
    message: Message,
    request: MonitoringRequest,
    languages: tuple[str, ...] = (),
    reasons: tuple[str, ...] = (),
) -> Message:
    """Every word catalogued, values too (made within `strictly_marked`); in one language, every
    word in that language. `reasons`: what the decider typed."""
    payload = {"text": message.text, "blocks": message.blocks}
    data = [*typed(request), *reasons]
    assert_translated(payload, data)
    if len(languages) == 1:
        assert_translated(payload, data, language=languages[0])
    shown_message = Message(plain(message.text), plain(message.blocks))
    assert validate_blocks(shown_message.blocks) == []
    return shown_message


def everything(message: Message) -> str:
    return str(message.text) + str(message.blocks)


@pytest.mark.parametrize("basis", ["order", "licence", "voluntary"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_approval_card_is_all_catalogued(basis: str, language: str) -> None:
    request = filled(basis)
    request.state = "awaiting_approval"
    with strictly_marked():
        card = approval_blocks.approval_card(
            request, worded(), DECIDERS, tz=LONDON, needed=2, languages=(language,)
        )
    check(card, request, (language,))


def test_the_card_in_welsh_speaks_welsh() -> None:
    request = filled("order")
    card = approval_blocks.approval_card(request, CATALOGUE, DECIDERS, tz=LONDON, languages=("cy",))
    text = everything(card)
    for welsh in (
        "Cais monitro MR-42",
        "mae angen cymeradwyo *MR-42*",
        "*Cais:* MR-42 gan <@U0OFFICER>",
        "*Cyfeirnod ViSOR:* NOM/1234567",
        "*Dyddiad olaf i hysbysu:*",
        "Hysbyswyd",
        "Pam mae monitro'n angenrheidiol ac yn gymesur (swyddog)",
        ":lock: *SWYDDOGOL-SENSITIF*",
        "*RoSH:* Uchel iawn",
        "*Dyfais:* Ffôn, Samsung Galaxy A15 (Android 14), IMEI yn gorffen",
        "*Perchennog:* Trydydd parti",
        "*Caffael / hysbysu:* 1 Mai 2026 / 19 Mai 2026",
        "• Math o orchymyn: Gorchymyn Atal Niwed Rhywiol Interim",
        "*Dyddiad olaf i hysbysu:* erbyn 3 Mai 2026: 3 diwrnod gan ddechrau ar 1 Mai.",
        "Hysbyswyd 19 Mai 2026",
    ):
        assert welsh in text, welsh
    buttons = [e["text"]["text"] for e in card.blocks[-1]["elements"]]
    assert buttons == ["Cymeradwyo", "Gwrthod", "Gofyn am ragor o wybodaeth"]
    assert "Approve" not in text and "Notification deadline" not in text
    for english in ("OFFICIAL-SENSITIVE", "Third party", "May 2026", "beginning with", "ending"):
        assert english not in text, english


def test_both_thread_languages_follow_each_other_with_one_row_of_buttons() -> None:
    request = filled("licence")
    card = approval_blocks.approval_card(
        request, CATALOGUE, DECIDERS, tz=LONDON, languages=("cy", "en")
    )
    assert validate_blocks(card.blocks) == []
    block_ids = [b["block_id"] for b in card.blocks if "block_id" in b]
    assert len(block_ids) == len(set(block_ids))
    assert block_ids.index(ids.APPROVAL_TITLE_BLOCK) < block_ids.index(
        f"{ids.APPROVAL_TITLE_BLOCK}:en"
    )
    titles = [b["text"]["text"] for b in card.blocks if b["type"] == "header"]
    assert titles == ["Cais monitro MR-42", "Monitoring request MR-42"]
    [actions] = [b for b in card.blocks if b["type"] == "actions"]
    assert actions["elements"][0]["text"]["text"] == "Cymeradwyo / Approve"
    assert card.text.startswith("Angen cymeradwyaeth: cais am feddalwedd monitro MR-42 / ")


def decided_round(request: MonitoringRequest, outcome: str) -> None:
    request.state = {"approved": "approved", "rejected": "rejected"}.get(outcome, "withdrawn")
    request.decision_comment = "Proportionate." if outcome == "approved" else None
    request.review_date = date(2026, 9, 1) if outcome == "approved" else None


@pytest.mark.parametrize(
    "outcome", ["approved", "rejected", "info_requested", "withdrawn", "expired", "superseded"]
)
@pytest.mark.parametrize("languages", [("cy",), ("en",), ("en", "cy")])
def test_a_decided_card_and_its_notice_are_all_catalogued(
    outcome: str, languages: tuple[str, ...]
) -> None:
    request = filled("voluntary")
    decided_round(request, outcome)
    with strictly_marked():
        card = approval_blocks.decided_card(
            request,
            worded(),
            outcome,
            SUPERVISOR,
            AT,
            "Not enough detail",
            LONDON,
            languages=languages,
        )
        notices = (
            [approval_blocks.decision_notice(request, outcome, SUPERVISOR, "Why", languages)]
            if outcome in approval_blocks.NOTICES
            else []
        )
    for message in [card, *notices]:
        check(message, request, languages, reasons=("Not enough detail", "Why"))


def test_a_welsh_decision_says_who_when_and_why_in_welsh() -> None:
    request = filled("order")
    decided_round(request, "approved")
    card = approval_blocks.decided_card(
        request, CATALOGUE, "approved", SUPERVISOR, AT, None, LONDON, languages=("cy",)
    )
    assert f":white_check_mark: *Cymeradwywyd* gan <@{SUPERVISOR}> am 14:02 ar" in everything(card)
    assert card.text == "MR-42: wedi'i gymeradwyo"
    notice = approval_blocks.decision_notice(request, "rejected", SUPERVISOR, "Dim digon", ("cy",))
    assert f"Gwrthododd <@{SUPERVISOR}> MR-42." in everything(notice)
    assert "_Rheswm:_ Dim digon" in everything(notice)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_decision_dialogs_are_all_catalogued_in_the_deciders_language(language: str) -> None:
    request = filled("order")
    request.state = "awaiting_approval"
    with marked_translations(PENDING):
        views: list[dict[str, Any]] = [
            approval_blocks.approve_modal(
                request, date(2026, 9, 1), "1.2", "G1", "1.1", needed=2, language=language
            ),
            *(
                approval_blocks.reason_modal(
                    "MR-42", decision, "1.2", "G1", "1.1", language=language
                )
                for decision in ("reject", "more_info")
            ),
        ]
    for view in views:
        assert_translated(view, others_text(request))
        assert validate_view(plain(view)) == []


def test_the_welsh_dialog_titles_fit_slacks_limit() -> None:
    titles = [
        approval_blocks.reason_modal("MR-42", decision, "1.2", "G1", "1.1", language="cy")["title"][
            "text"
        ]
        for decision in ("reject", "more_info")
    ]
    assert titles == ["Gwrthod y cais", "Gofyn am wybodaeth"]


@pytest.mark.parametrize("languages", [("cy",), ("en", "cy")])
def test_the_two_approvals_notice_and_the_installed_notice_are_all_catalogued(
    languages: tuple[str, ...],
) -> None:
    request = filled("order")
    request.installed_at = AT
    with strictly_marked():
        messages = [
            approval_blocks.partly_approved_notice(
                request, round_of(request), 2, DECIDERS, languages
            ),
            approval_blocks.installed_notice(request, SUPERVISOR, LONDON, languages),
        ]
    for message in messages:
        check(message, request, languages)


# --- reminders, installation and review ---------------------------------------------------------


def restart_text(request: MonitoringRequest) -> list[str]:
    """The restart button is the conversation's (people's domain), still in English."""
    from bot.blocks.conversation import restart_actions

    actions = restart_actions(request)
    return [e["text"]["text"] for e in actions["elements"]]


def reminders_of(request: MonitoringRequest, languages: tuple[str, ...]) -> list[Message]:
    now = AT
    return [
        reminders.idle_reminder(request, None, languages),
        reminders.abandoned(request, languages),
        reminders.approval_reminder(request, DECIDERS, now, "https://x.slack.com/a", languages),
        reminders.escalated(request, DECIDERS, now, None, languages),
        reminders.expired(request, lambda t: t("no decision in time"), DECIDERS, languages),
        reminders.lapsed(
            request,
            lambda t: t(
                "the order expired on {date} before installation",
                date=format_date(date(2026, 6, 1), t.language),
            ),
            DECIDERS,
            languages,
        ),
        reminders.install_reminder(request, languages),
        installation.installation_notice(request, SUPERVISOR, languages),
        installation.review_due(request, DECIDERS, languages),
        installation.reviewed_notice(request, SUPERVISOR, languages),
    ]


@pytest.mark.parametrize("languages", [("cy",), ("en",), ("cy", "en")])
def test_reminders_and_installation_notices_are_all_catalogued(
    languages: tuple[str, ...],
) -> None:
    request = filled("order")
    request.submitted_at = datetime(2026, 5, 29, 9, 0, tzinfo=UTC)
    request.installation_outcome = "person_refused"
    request.installation_date = date(2026, 6, 1)
    request.installation_notes = "Refused at the door."
    request.review_date = date(2026, 9, 1)
    # the link to the card is put into a sentence as a value: a URL, not words
    extra = [*typed(request), "Refused at the door.", "https://x.slack.com/a"]
    with strictly_marked():
        messages = reminders_of(request, languages)
    for message in messages:
        payload = {"text": message.text, "blocks": message.blocks}
        assert_translated(payload, extra)
        if len(languages) == 1:
            assert_translated(payload, extra, language=languages[0])
        assert validate_blocks(plain(message.blocks)) == []


def test_a_welsh_reminder_counts_the_wait_in_welsh() -> None:
    request = filled("order")
    request.submitted_at = datetime(2026, 5, 30, 11, 0, tzinfo=UTC)
    message = reminders.approval_reminder(request, DECIDERS, AT, None, ("cy",))
    body = everything(message)
    assert "mae MR-42 yn dal i aros am benderfyniad" in body
    assert "Mae wedi aros 2 ddiwrnod 2 awr am benderfyniad." in body
    assert "Penderfynwch ar y cerdyn cymeradwyo uchod." in body
    assert reminders.waited(timedelta(minutes=2), translator("cy")) == "2 funud"
    assert reminders.waited(timedelta(days=1), translator("en")) == "1 day"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_installation_and_review_dialogs_are_all_catalogued(language: str) -> None:
    request = filled("order")
    with marked_translations(PENDING):
        views = [
            installation.installation_modal(request, date(2026, 6, 1), "G1", "1.1", language),
            installation.review_modal(request, date(2026, 9, 1), "G1", "1.1", language),
        ]
    for view in views:
        assert_translated(view)
        assert validate_view(plain(view)) == []


def test_the_welsh_installation_dialog_keeps_the_stored_values() -> None:
    view = installation.installation_modal(filled("order"), date(2026, 6, 1), "G1", "1.1", "cy")
    [outcome] = [b for b in view["blocks"] if b.get("block_id") == ids.INSTALL_OUTCOME_BLOCK]
    options = outcome["element"]["options"]
    assert [o["value"] for o in options] == list(OUTCOMES)
    assert options[0]["text"]["text"] == "Wedi'i osod"
    assert view["title"]["text"] == "Cofnodi'r gosodiad"


def test_every_stored_outcome_has_a_label_of_ours() -> None:
    assert set(installation.OUTCOME_LABELS) == set(OUTCOMES)
    assert set(installation.REVIEW_LABELS) == set(REVIEW_OUTCOMES)


# --- App Home, the request in full, the dashboard line ----------------------------------------


def home_words(requests: list[MonitoringRequest]) -> list[str]:
    """What is shown on Home but not worded through the catalogues (basis, state, age and flags
    are, in the viewer's language, and checked)."""
    del requests
    found: list[str] = []
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_app_home_is_all_catalogued_in_the_viewers_language(language: str) -> None:
    from bot.home_service import Home
    from flows.delegation import Delegation
    from flows.models import AuditEvent
    from tests.unit.test_home_blocks import page, request

    queue = [request(n) for n in range(1, 4)]
    mine = [request(7, state="info_requested"), request(8, state="approved")]
    decided = [
        ("MR-000009", AuditEvent("decided", "U0SUP", HOME_NOW, {"outcome": "approved"})),
        ("MR-000010", AuditEvent("info_requested", "U0SUP", HOME_NOW, {})),
    ]
    given = [
        Delegation("U0SUP", "U0DEPUTY", date(2026, 12, 24), HOME_NOW),
        Delegation("U0OTHER", "U0SUP", date(2026, 12, 24), HOME_NOW),
        Delegation("U0OTHER", "U0THIRD", date(2026, 12, 24), HOME_NOW),
    ]
    home = Home("U0SUP", page(queue, 0, 30), decided, page(mine, 10, 12), given)
    with marked_translations(PENDING):
        view = home_view(home, {}, DECIDERS, HOME_NOW, LONDON, "/mr", language=language)
    assert_translated(view, home_words([*queue, *mine]))
    assert validate_view(plain(view)) == []


def test_app_home_in_welsh() -> None:
    from bot.home_service import Home
    from tests.unit.test_home_blocks import page, request

    home = Home("U0SUP", page([request(1)]), [], page([]))
    view = str(home_view(home, {}, DECIDERS, HOME_NOW, LONDON, "/mr", language="cy"))
    assert "*Yn aros am eich penderfyniad* (1–1 o 1, yr hynaf yn gyntaf)" in view
    assert "Does gennych chi ddim ceisiadau." in view and "Gweld MR-000001" in view
    assert "Dechreuwch gais gyda `/mr` yn sianel breifat eich uned." in view


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_request_in_full_and_a_refusal_from_home_are_all_catalogued(language: str) -> None:
    request = filled("licence", licence_condition="x" * 400)
    request.state = "rejected"
    request.submitted_at = AT
    request.decision, request.decided_by, request.decided_at = "rejected", SUPERVISOR, AT
    request.decision_reason = "Not enough detail"
    with marked_translations(PENDING):
        views = [
            request_modal(request, CATALOGUE, DECIDERS, LONDON, language),
            refusal_modal("MR-42 is not yours to view.", language),
        ]
    data = [
        *others_text(request),
        *home_words([request]),
        "Not enough detail",
        "MR-42 is not yours to view.",
    ]
    for view in views:
        assert_translated(view, data)
        assert validate_view(plain(view)) == []


@pytest.mark.parametrize("languages", [("cy",), ("en",), ("en", "cy")])
@pytest.mark.parametrize("state", ["collecting", "awaiting_approval", "rejected"])
def test_the_dashboard_line_is_all_catalogued(languages: tuple[str, ...], state: str) -> None:
    from bot.blocks.form import form_actions

    request = filled("order")
    request.state = state
    request.restarted_from = "MR-41"
    form = [e["text"]["text"] for e in form_actions(request)["elements"]]
    with marked_translations(PENDING):
        line = dashboard.parent_message(request, DECIDERS, languages)
    words = [*home_words([request]), *form]
    assert_translated({"text": line.text, "blocks": line.blocks}, words)
    assert validate_blocks(plain(line.blocks)) == []


def test_the_dashboard_line_in_both_languages_reads_welsh_then_english() -> None:
    request = filled("order")
    request.state = "awaiting_approval"
    line = dashboard.parent_message(request, DECIDERS, ("cy", "en"))
    sections = [b["text"]["text"] for b in line.blocks if b["type"] == "section"]
    assert "cais am feddalwedd monitro gan <@U0OFFICER>" in sections[0]
    assert "monitoring software request by <@U0OFFICER>" in sections[1]
    assert line.text.startswith("SWYDDOGOL-SENSITIF: Cais am feddalwedd monitro MR-42")
    assert " / OFFICIAL-SENSITIVE: Monitoring software request MR-42" in line.text


def test_a_welsh_card_writes_its_own_dates_and_deadline_in_welsh() -> None:
    """The decision's time, the review date and the notification deadline name their months in
    the reader's language (the answers as shown are still the English catalogue's)."""
    request = filled("order")
    decided_round(request, "approved")
    request.review_date = date(2026, 9, 1)
    card = approval_blocks.decided_card(
        request, CATALOGUE, "approved", SUPERVISOR, AT, None, LONDON, languages=("cy",)
    )
    shown = everything(card)
    assert "_Adolygu erbyn:_ 1 Medi 2026" in shown
    assert "14:02 ar 1 Mehefin 2026" in shown
    assert "*Dyddiad olaf i hysbysu:* erbyn " in shown
    english = everything(
        approval_blocks.decided_card(
            request, CATALOGUE, "approved", SUPERVISOR, AT, None, LONDON, languages=("en",)
        )
    )
    assert "_Review by:_ 1 September 2026" in english and "14:02 on 1 June 2026" in english


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_resubmitted_card_is_all_in_the_thread_language(language: str) -> None:
    """Who asked for more and when, the replies and what changed (labels, old and new answers,
    masked numbers) are worded in the thread language, values checked."""
    from flows.approval import decide
    from flows.rounds import begin_round, record_reply
    from tests.unit.test_blocks import IMEI_1, IMEI_2, T0

    request = filled("voluntary", consent_reference="CONSENT-77", device_imei=[IMEI_1])
    request.state, request.approval_round = "awaiting_approval", 1
    begin_round(request, T0)
    decide(request, "request_info", SUPERVISOR, True, "Which form?", T0, 1)
    record_reply(request, "On file", T0)
    request.answers["consent_reference"] = "CONSENT-77/SIGNED"
    request.answers["consent_witness"] = "A. Jones"
    request.answers["device_imei"] = [IMEI_2]
    request.state, request.approval_round = "awaiting_approval", 2
    begin_round(request, T0)
    with strictly_marked():
        card = approval_blocks.approval_card(
            request, worded(), DECIDERS, tz=LONDON, languages=(language,)
        )
    shown_card = check(card, request, (language,), reasons=("Which form?", "On file"))
    if language == "cy":
        text = everything(shown_card)
        assert "am 10:00 ar 20 Mai 2026" in text
        assert "yn gorffen 1481 → yn gorffen 7518" in text
