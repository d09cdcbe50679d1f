"""The workbench in a real headless browser (Debian's Chromium, driven by Playwright): a whole
request, from the officer's command to a supervisor's approval, by clicking and typing in the
page, checking what the page shows. Chromium is installed by `make test` and .ci/run when it is
missing; without it this test fails and says how to install it (it is never skipped)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot import ids
from bot.demo.answers import answers_for
from tests.support.workbench import (
    OFFICER,
    STRANGER,
    SUPERVISOR,
    WorkbenchClient,
    running_workbench,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOW_TO_INSTALL = (
    f"{CHROMIUM} is missing: install Debian's Chromium with "
    "`apt-get install -y --no-install-recommends chromium` (as root; `make test` does it when it can)"
)
#: free text with markup in it: the page must show it as text, never as markup
TYPED = 'Risk online <img src=x onerror="document.title=1"> <b>rising</b> & <script>x</script>.'
#: Playwright's own wait for what the page shows (each step waits for the bot anyway)
WAIT_MS = 30_000

Page = Any


@pytest.fixture
def workbench(sqlite_url: str) -> Iterator[WorkbenchClient]:
    with running_workbench(sqlite_url) as client:
        yield client


@pytest.fixture
def page(tmp_path: Path) -> Iterator[Page]:
    if shutil.which(CHROMIUM) is None:
        pytest.fail(HOW_TO_INSTALL)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
        )
        context.set_default_timeout(WAIT_MS)
        try:
            yield context.new_page()
        finally:
            context.close()


def act_as(page: Page, who: str) -> None:
    with page.expect_response(lambda r: "/api/state" in r.url and f"as={who}" in r.url):
        page.select_option("#act-as", who)


def reply(page: Page, text: str) -> None:
    page.fill("#thread-text", text)
    with page.expect_response("**/api/say"):
        page.press("#thread-text", "Enter")


def current_question(page: Page) -> str | None:
    questions = page.locator(f"#thread [data-block-id^='{ids.QUESTION_BLOCK.format(key='')}']")
    if questions.count() == 0:
        return None
    block_id = str(questions.last.get_attribute("data-block-id"))
    return block_id.removeprefix(ids.QUESTION_BLOCK.format(key=""))


def today(workbench: WorkbenchClient) -> date:
    return datetime.now(workbench.bench.real_bot.settings.timezone).date()


def test_a_whole_request_officer_to_approval_in_the_browser(
    workbench: WorkbenchClient, page: Page
) -> None:
    from playwright.sync_api import expect

    page.goto(workbench.url + "/")
    expect(page.locator("#act-as")).to_have_value(OFFICER)
    expect(page.locator("#messages")).to_be_visible()

    # a command the bot does not have is refused by the page, as Slack would
    page.fill("#composer-text", "/nonsense")
    page.press("#composer-text", "Enter")
    expect(page.locator("#composer-error")).to_contain_text("/nonsense")
    expect(page.locator("#messages .message")).to_have_count(0)

    # the officer runs the command in the channel: the bot's message and its thread appear
    page.fill("#composer-text", "/monitoring-request")
    with page.expect_response("**/api/command"):
        page.press("#composer-text", "Enter")
    expect(page.locator("#messages .message")).to_have_count(1)
    # the bot's mrkdwn drawn as Slack draws it: bold, and mentions by name
    expect(page.locator("#messages b", has_text="OFFICIAL-SENSITIVE")).to_have_count(1)
    expect(page.locator("#messages .mention", has_text="@PC Alex Morgan").first).to_be_visible()
    expect(page.locator("#thread-pane")).to_be_visible()
    expect(page.locator("#thread")).to_contain_text("Question 1 of")

    # every question answered by typing in the thread, as the page asks them
    answers = answers_for("order", today(workbench))
    answers["necessity"] = TYPED
    asked: list[str] = []
    while page.locator(f"#thread [data-block-id='{ids.SUMMARY_BLOCK}']").count() == 0:
        key = current_question(page)
        assert key in answers, page.locator("#thread").inner_html()[-3000:]
        assert asked[-2:] != [key, key], f"the bot keeps asking {key}"
        asked.append(key)
        reply(page, answers[key])
    assert len(asked) > 20
    thread = page.locator("#thread")
    # a question answered is ticked in place (chat.update), not posted again
    expect(
        thread.locator(f"[data-block-id='{ids.QUESTION_BLOCK.format(key='visor_ref')}']")
    ).to_have_count(0)
    # what the officer typed is shown as text: no element of it reached the page
    expect(thread).to_contain_text('<img src=x onerror="document.title=1">')
    expect(thread).to_contain_text("<script>x</script>")
    assert page.locator("#thread img, #thread script, #messages img").count() == 0
    assert page.title() != "1"

    # Submit asks for confirmation first (the button's confirm dialog), then the card appears
    submit = thread.locator(f"[data-action-id='{ids.REQUEST_SUBMIT}']")
    submit.click()
    expect(page.locator("#confirm")).to_contain_text("By submitting you declare")
    page.locator("#confirm-no").click()
    expect(page.locator("#confirm-backdrop")).to_be_hidden()
    approve = thread.locator(f"[data-action-id='{ids.APPROVAL_APPROVE}']")
    assert approve.count() == 0
    submit.click()
    with page.expect_response("**/api/act"):
        page.locator("#confirm-yes").click()
    expect(approve).to_be_visible()
    expect(thread).to_contain_text("@supervisors")

    # someone not in the unit may not decide, and only they are told so
    act_as(page, STRANGER)
    with page.expect_response("**/api/act"):
        approve.click()
    expect(thread.locator(".message.ephemeral")).to_have_count(1)
    expect(thread.locator(".message.ephemeral")).to_contain_text("Only visible to you")
    expect(page.locator("#modal-backdrop")).to_be_hidden()

    # the supervisor does not see the stranger's refusal, and approves in the bot's dialog
    act_as(page, SUPERVISOR)
    expect(thread.locator(".message.ephemeral")).to_have_count(0)
    with page.expect_response("**/api/act"):
        approve.click()
    modal = page.locator("#modal")
    expect(modal).to_be_visible()
    expect(modal).to_have_attribute("data-callback-id", ids.APPROVE_VIEW)
    expect(page.locator("#modal-title")).not_to_be_empty()
    review = modal.locator(f"[data-block-id='{ids.REVIEW_DATE_BLOCK}'] input[type=date]")
    review.fill((today(workbench) - timedelta(days=1)).isoformat())
    with page.expect_response("**/api/submit"):
        page.locator("#modal-submit").click()
    # the bot's error is shown at the review date, and the dialog stays open
    error = modal.locator(f"[data-error-for='{ids.REVIEW_DATE_BLOCK}']")
    expect(error).to_be_visible()
    assert error.inner_text().strip()
    review.fill((today(workbench) + timedelta(days=90)).isoformat())
    modal.locator(
        f"[data-block-id='{ids.COMMENT_BLOCK}'] textarea, [data-block-id='{ids.COMMENT_BLOCK}'] input"
    ).first.fill("Proportionate.")
    with page.expect_response("**/api/submit"):
        page.locator("#modal-submit").click()
    expect(page.locator("#modal-backdrop")).to_be_hidden()
    expect(thread).to_contain_text("was approved by @DS Sam Patel")
    # the card was edited in place: its buttons are gone
    expect(approve).to_have_count(0)

    # the officer sees the approval and may record the installation; the record says approved
    act_as(page, OFFICER)
    expect(thread).to_contain_text("was approved by @DS Sam Patel")
    expect(thread.locator(f"[data-action-id='{ids.INSTALLATION_CONFIRM}']")).to_be_visible()
    stored = workbench.bench.real_bot.wiring.service.get("MR-000001")
    assert stored is not None and stored.state == "approved" and stored.decided_by == SUPERVISOR

    # App Home: published by the bot when the officer opens it
    with page.expect_response("**/api/home"):
        page.locator("#tab-home").click()
    expect(page.locator("#home")).to_contain_text("MR-000001")


def test_the_page_in_welsh_by_its_language_switch(workbench: WorkbenchClient, page: Page) -> None:
    """The officer picks Cymraeg on the page: the page's own words, the bot's and the page's
    language are Welsh from then on, and after a reload; the supervisor's page stays English."""
    from playwright.sync_api import expect

    page.goto(workbench.url + "/")
    expect(page.locator("#tab-home")).to_have_text("Home")
    expect(page.locator("#language")).to_have_value("en")
    with page.expect_response("**/api/language"):
        page.select_option("#language", "cy")
    expect(page.locator("#tab-home")).to_have_text("Cartref")
    expect(page.locator("#act-as-label")).to_have_text("Gweithredu fel")
    expect(page.locator("#language-label")).to_have_text("Iaith")
    expect(page.locator("#role")).to_have_text("swyddog")
    expect(page.locator("#composer-send")).to_have_text("Anfon")
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    assert page.title() == "Mainc waith mosovo-bot"
    # the bot confirms the choice to the officer alone, in Welsh
    expect(page.locator("#messages .message.ephemeral")).to_contain_text("Gymraeg")
    expect(page.locator("#messages .only-you")).to_contain_text("Dim ond chi")

    page.fill("#composer-text", "/monitoring-request")
    with page.expect_response("**/api/command"):
        page.press("#composer-text", "Enter")
    expect(page.locator("#thread")).to_contain_text("Cwestiwn 1 o")
    expect(page.locator("#thread-title")).to_have_text("Edefyn")
    expect(page.locator("#messages .thread-link").last).to_contain_text("ateb")
    expect(page.locator("#thread-text")).to_have_attribute("placeholder", "Ateb yn yr edefyn…")

    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.locator("#tab-home")).to_have_text("Cartref")
    act_as(page, SUPERVISOR)
    expect(page.locator("#tab-home")).to_have_text("Home")
    expect(page.locator("#language")).to_have_value("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
