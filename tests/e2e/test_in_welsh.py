"""Issue 12 end to end, through the real bot: a request conducted in Welsh, an English-speaking
supervisor approving it, a Welsh-speaking officer answering in English, both thread-language
settings, and a record made in Welsh exporting exactly like one made in English.

What each part says in Welsh grows as the catalogues do: the conversation's Slack side (the
`people` catalogue) is Welsh here in full; the questions' own words (flows/) and the card
(`cards`) are checked for what is on main."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from bot import ids
from storage.export import ExportRequest, export_requests
from tests.e2e.flow import (
    answer_all,
    answers_for,
    click_card,
    start,
)
from tests.support.running_bot import (
    OFFICER,
    OFFICER2,
    SUP1,
    RunningBot,
    block_ids,
    running_bot,
    thread_posts,
    with_block,
)
from tests.support.slack_double import SlackCall, SlackDouble

#: the order request of tests/e2e/flow.py, typed the way a Welsh speaker would type it: Welsh
#: choice words, Welsh month names, `hepgor`, `ie`/`na`, `amhenodol`, `diofyn`
IN_WELSH = {
    **answers_for("order"),
    "pnc_id": "hepgor",
    "mappa_category": "categori un",
    "mappa_level": "lefel dau",
    "rosh_level": "uchel",
    "risk_assessment_date": "1 Mehefin 2026",
    "device_type": "ffôn",
    "device_ownership": "y person",
    "date_acquired": "20 Tachwedd 2026",
    "date_notified": "25 Tachwedd 2026",
    "proposed_install_date": "2 Rhagfyr 2026",
    "other_users_informed": "ie",
    "rmp_reference": "hepgor",
    "notes": "hepgor",
    "legal_basis": "gorchymyn llys",
    "order_type": "gorchymyn atal niwed rhywiol",
    "order_date": "1 Mai 2025",
    "order_expiry": "amhenodol",
    "order_notify_days": "diofyn",
    "order_monitoring_clause": "na",
}


def speak_welsh(app: RunningBot, user: str = OFFICER) -> None:
    app.command("iaith cymraeg", user=user)
    assert app.bot.wiring.languages.language_for(user) == "cy"


def questions(app: RunningBot, thread: str) -> list[SlackCall]:
    return [
        c for c in thread_posts(app.slack, thread) if any(b.startswith("q:") for b in block_ids(c))
    ]


def shown(call: SlackCall) -> str:
    return json.dumps(call.args, ensure_ascii=False)


def exported(app: RunningBot) -> list[dict[str, Any]]:
    out = io.StringIO()
    export_requests(app.database, out, ExportRequest("jsonl", "DS Test", "issue 12 e2e"))
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_a_whole_request_is_conducted_in_welsh(app: RunningBot) -> None:
    speak_welsh(app)
    request_id, thread = start(app)
    summary = answer_all(app, thread, IN_WELSH)
    asked = questions(app, thread)
    assert asked, "no question was asked"
    for question in asked:
        text = shown(question)
        assert "Cwestiwn " in text and "Question " not in text, text
        assert "`hepgor`" in text and "`cymorth`" in text and "`canslo`" in text
    # the questions' own words too: the conversation speaks the officer's language
    assert "Beth yw cyfeirnod enwol ViSOR/MAPPS y person?" in shown(asked[0])
    assert "What is the person's" not in shown(asked[0])
    summary_text = shown(summary)
    assert "Crynodeb: gwiriwch bob ateb" in summary_text
    assert "Cyflwyno i'w gymeradwyo" in summary_text and "Submit for approval" not in summary_text
    # `cyflwyno` submits, as `submit` does
    app.reply(thread, "cyflwyno")
    cards = with_block(thread_posts(app.slack, thread), ids.APPROVAL_BLOCK)
    assert cards, "no approval card was posted"
    assert app.request(request_id).state == "awaiting_approval"


def test_a_supervisor_whose_language_is_english_approves_a_welsh_request(
    app: RunningBot,
) -> None:
    speak_welsh(app)
    request_id, thread = start(app)
    answer_all(app, thread, IN_WELSH)
    app.reply(thread, "cyflwyno")
    [card] = with_block(thread_posts(app.slack, thread), ids.APPROVAL_BLOCK)
    assert app.bot.wiring.languages.language_for(SUP1) == "en"
    click_card(app, card, ids.APPROVAL_APPROVE, user=SUP1)
    dialog = app.slack.calls("views.open")[-1].args["view"]
    assert "Cymeradwyo" not in json.dumps(dialog, ensure_ascii=False), "the dialog is the reader's"
    stored = app.request(request_id)
    assert (stored.state, stored.decision, stored.decided_by) == ("approved", "approved", SUP1)


def test_a_welsh_speaking_officer_answering_in_english_is_understood_and_answered_in_welsh(
    app: RunningBot,
) -> None:
    speak_welsh(app)
    request_id, thread = start(app)
    summary = answer_all(app, thread, answers_for("order"))
    assert "Crynodeb: gwiriwch bob ateb" in shown(summary)
    assert all("Cwestiwn " in shown(q) for q in questions(app, thread))
    app.reply(thread, "submit")
    assert app.request(request_id).state == "awaiting_approval"


def test_a_record_made_in_welsh_exports_exactly_like_one_made_in_english(
    app: RunningBot, slack: SlackDouble, tmp_path: Path
) -> None:
    """The same request made twice, in Welsh by a Welsh speaker and in English by an English
    speaker, each in a database of its own (so neither is flagged as the other's duplicate)."""
    speak_welsh(app, OFFICER)
    welsh_id, welsh_thread = start(app, OFFICER)
    answer_all(app, welsh_thread, IN_WELSH, user=OFFICER)
    app.reply(welsh_thread, "cyflwyno", user=OFFICER)
    [welsh] = exported(app)
    with running_bot(slack, f"sqlite:///{tmp_path / 'english.db'}") as english_app:
        english_id, english_thread = start(english_app, OFFICER2)
        answer_all(english_app, english_thread, answers_for("order"), user=OFFICER2)
        english_app.reply(english_thread, "submit", user=OFFICER2)
        [english] = exported(english_app)
    assert (welsh["id"], english["id"]) == (welsh_id, english_id)
    assert welsh["fields"] == english["fields"]
    assert welsh["flags"] == english["flags"]

    def neutral(record: dict[str, Any]) -> Any:
        """Everything but who made it and its thread."""
        text = json.dumps(record, sort_keys=True)
        for personal in (record["officer"], record["thread_ts"]):
            text = text.replace(personal, "·")
        return json.loads(text)

    assert neutral(welsh) == neutral(english)


@pytest.mark.parametrize(
    ("setting", "label"),
    [
        ("cy", "Ailddechrau gyda'r atebion hyn"),
        ("en,cy", "Restart with these answers / Ailddechrau gyda'r atebion hyn"),
        ("en", "Restart with these answers"),
    ],
)
def test_thread_messages_follow_the_thread_languages(
    slack: SlackDouble, db_url: str, setting: str, label: str
) -> None:
    with running_bot(slack, db_url, MOSOVO_THREAD_LANGUAGES=setting) as app:
        request_id, thread = start(app)
        app.reply(thread, "cancel")
        closing = with_block(thread_posts(app.slack, thread), ids.RESTART_ACTIONS_BLOCK)
        assert closing, "no closing message offered a restart"
        [actions] = [
            b for b in closing[-1].args["blocks"] if b.get("block_id") == ids.RESTART_ACTIONS_BLOCK
        ]
        assert actions["elements"][0]["text"]["text"] == label
        assert app.request(request_id).state == "withdrawn"
