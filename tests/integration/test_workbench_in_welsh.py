"""The workbench page in Welsh (issue 12): its own words come from the `workbench` catalogue in
the language of the person it acts as (their language in the bot), the page's language switch
sets that language as `/monitoring-request language` does (stored and audited), and what the
workbench itself says (a required field, a refusal) is in that language too."""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib.resources import files

import pytest
from sqlalchemy import text

from bot import ids
from bot.workbench import words
from bot.workbench.bench import WorkbenchError
from flows.i18n import LANGUAGES
from tests.support.i18n import END, START, TAGS, marked_translations, plain
from tests.support.workbench import (
    OFFICER,
    SUPERVISOR,
    WorkbenchClient,
    running_workbench,
    thread_of,
)


@pytest.fixture
def wb(db_url: str) -> Iterator[WorkbenchClient]:
    with running_workbench(db_url) as client:
        yield client


def test_the_page_speaks_the_acting_persons_language_and_its_switch_sets_it(
    wb: WorkbenchClient,
) -> None:
    seen = wb.state(OFFICER)
    assert seen["language"] == "en" and seen["words"] == words.ui("en")
    assert seen["words"]["home_tab"] == "Home" and seen["roles"]["officer"] == "officer"
    assert [language["code"] for language in seen["languages"]] == list(LANGUAGES)

    seen = wb.do("language", OFFICER, language="cy")
    assert seen["language"] == "cy" and seen["words"] == words.ui("cy")
    assert seen["words"]["home_tab"] == "Cartref" and seen["words"]["act_as"] == "Gweithredu fel"
    assert seen["roles"] == words.roles("cy") and seen["roles"]["officer"] == "swyddog"
    # as the command does: stored, audited, and the bot says so, in Welsh, to them alone
    assert wb.bench.real_bot.wiring.languages.chosen(OFFICER) == "cy"
    with wb.bench.real_bot.database.engine.connect() as connection:
        audited: int = connection.execute(
            text("SELECT count(*) FROM audit_events WHERE action = 'language_set'")
        ).scalar_one()
    assert audited == 1
    [told] = [m for m in seen["messages"] if m.get("ephemeral")]
    assert "Gymraeg" in told["text"]
    # everyone else's page is as it was
    assert wb.state(SUPERVISOR)["words"] == words.ui("en")

    # the bot and the page in Welsh: the thread's question and the count of its replies
    seen = wb.do("command", OFFICER, text="")
    parent = thread_of(seen)
    assert "Cwestiwn 1 o" in str(parent["replies"])
    assert parent["replies_label"] == words.replies("cy", len(parent["replies"]))
    assert parent["replies_label"].endswith(" ateb")
    assert thread_of(wb.state(SUPERVISOR))["replies_label"].endswith(" reply")

    seen = wb.do("language", OFFICER, language="en")
    assert seen["language"] == "en" and seen["words"]["home_tab"] == "Home"


def test_what_the_workbench_says_itself_is_in_the_persons_language(wb: WorkbenchClient) -> None:
    wb.do("language", OFFICER, language="cy")
    refused = wb.post("/api/say", {"as": OFFICER, "text": "x", "thread_ts": "1.2"})
    assert refused.status == 400 and refused.body["error"] == "Nid yw'r edefyn hwnnw yn y sianel."
    refused = wb.post("/api/say", {"as": SUPERVISOR, "text": "x", "thread_ts": "1.2"})
    assert refused.body["error"] == "That thread is not in the channel."
    refused = wb.post("/api/language", {"as": OFFICER, "language": "fr"})
    assert (
        refused.status == 400 and refused.body["error"] == "Nid yw'r bot yn siarad yr iaith honno."
    )

    # Slack's own "required" (the workbench plays Slack) and the form, both in Welsh
    seen = wb.do("command", OFFICER, text="")
    parent = thread_of(seen)
    seen = wb.do(
        "act",
        OFFICER,
        where={"message_ts": parent["ts"]},
        block_id=ids.FORM_ACTIONS_BLOCK,
        action_id=ids.REQUEST_FORM,
    )
    modal = seen["modal"]
    assert "Cyfeirnod ViSOR" in str(modal) and "ViSOR ref" not in str(modal)
    seen = wb.do("submit", OFFICER, view_id=modal["id"], values={})
    assert set(seen["modal_errors"].values()) == {"Llenwch y maes gofynnol hwn."}


def test_the_page_itself_is_served_in_the_persons_language(wb: WorkbenchClient) -> None:
    english = wb.get(f"/?as={OFFICER}").body["text"]
    assert '<html lang="en">' in english and "<title>mosovo-bot workbench</title>" in english
    wb.do("language", OFFICER, language="cy")
    welsh = wb.get(f"/?as={OFFICER}").body["text"]
    assert '<html lang="cy">' in welsh and "<title>Mainc waith mosovo-bot</title>" in welsh
    assert "{{" not in welsh and 'data-failed="Aeth rhywbeth o&#x27;i le' in welsh
    assert '<html lang="cy">' in wb.get("/").body["text"]  # no one named: the officer
    assert '<html lang="en">' in wb.get(f"/?as={SUPERVISOR}").body["text"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_word_of_the_page_is_catalogued(language: str) -> None:
    """Each word the page is given has an entry in the language (a missing one fails, in
    marked_translations), and comes from that language's entries."""
    with marked_translations():
        given = [
            *words.ui(language).values(),
            *words.roles(language).values(),
            *(words.replies(language, n) for n in range(12)),
        ]
        refusals = [
            error.shown(language)
            for error in (
                WorkbenchError(words.NO_SUCH_THREAD),
                WorkbenchError(words.MISSING, key="as"),
                WorkbenchError(words.BOT_ANSWERED, status="500"),
            )
        ]
    for shown in [*given, *refusals]:
        assert shown.startswith(START + TAGS[language]) and shown.endswith(END), shown
    if language == "cy":
        assert "Mainc waith mosovo-bot" in plain(given)


#: a string literal the page would show as it is (text, a placeholder, a fallback; not a
#: style's default class)
SHOWN_LITERAL = re.compile(
    r"""(?:\btext:\s*|textContent\s*=\s*|placeholder\s*=\s*|(?<!\.style )\|\|\s*)"""
    r"""(["'`])([^"'`]*[A-Za-z][^"'`]*)\1"""
)


def test_the_page_writes_no_words_of_its_own() -> None:
    """Every word the page shows comes from the state (the bot's, or the catalogued page
    words): its script and HTML hold none."""
    static = files("bot.workbench").joinpath("static")
    script = static.joinpath("workbench.js").read_text(encoding="utf-8")
    assert [m.group(0) for m in SHOWN_LITERAL.finditer(script)] == []
    assert SHOWN_LITERAL.search('$("failure").textContent = text || "Error";')  # as it was
    html = static.joinpath("index.html").read_text(encoding="utf-8")
    body = re.sub(r"<[^>]*>|\{\{\w+\}\}", " ", html)
    assert not re.search(r"[A-Za-z]", body), body
