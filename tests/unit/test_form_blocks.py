"""The form's pages (flows.form) and their Block Kit (bot.blocks.form), alone: every page of
every basis is a modal Slack accepts, built from the catalogue."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from bot import ids
from bot.blocks.form import form_actions, form_errors, form_values, form_view
from flows.catalogue import build_catalogue
from flows.config import FlowConfig
from flows.fields import FieldKind
from flows.form import first_page_to_fill, form_pages, page_after, with_basis
from flows.models import MonitoringRequest
from tests.support.block_kit import validate_blocks, validate_view

CONFIG = FlowConfig()
CATALOGUE = build_catalogue(CONFIG)
TODAY = date(2026, 11, 30)
BASES = ("order", "licence", "voluntary")


def request(**answers: object) -> MonitoringRequest:
    made = MonitoringRequest("U0OFFICER", "G0PRIVATE", datetime(2026, 11, 30, tzinfo=UTC))
    made.request_id = "MR-000042"
    made.answers.update(answers)
    return made


@pytest.mark.parametrize("basis", BASES)
def test_pages_follow_the_sections_and_the_basis_page_holds_its_branch(basis: str) -> None:
    names = [p.name for p in form_pages(CATALOGUE, {"legal_basis": basis})]
    assert names == ["person", "basis", "risk", "device", "software"]
    page = form_pages(CATALOGUE, {"legal_basis": basis})[1]
    assert [f.key for f in page.fields] == ["legal_basis"] + [
        f.key for f in CATALOGUE.branch_fields(basis) if f.section == "basis"
    ]
    # before the basis is known the page holds the basis alone, never another basis' branch
    assert [f.key for f in form_pages(CATALOGUE, {})[1].fields] == ["legal_basis"]
    assert (
        page_after(CATALOGUE, {"legal_basis": basis}, "basis")
        == form_pages(CATALOGUE, {"legal_basis": basis})[2]
    )
    assert with_basis(CATALOGUE, {}, {"legal_basis": basis}) == {"legal_basis": basis}
    assert with_basis(CATALOGUE, {}, {"legal_basis": "bogus"}) == {}


def test_the_notification_dates_are_on_the_device_page_of_an_order_only() -> None:
    order = form_pages(CATALOGUE, {"legal_basis": "order"})[3]
    voluntary = form_pages(CATALOGUE, {"legal_basis": "voluntary"})[3]
    assert {"date_acquired", "date_notified"} <= {f.key for f in order.fields}
    assert not {"date_acquired", "date_notified"} & {f.key for f in voluntary.fields}


def test_the_form_opens_at_the_first_page_with_an_unanswered_question() -> None:
    assert first_page_to_fill(CATALOGUE, {}).name == "person"
    answered = {"visor_ref": "NOM/1", "pnc_id": None, "legal_basis": "order"}
    assert first_page_to_fill(CATALOGUE, answered).name == "basis"


@pytest.mark.parametrize("basis", BASES)
def test_every_page_is_a_modal_slack_accepts_with_inputs_named_by_field_key(basis: str) -> None:
    pages = form_pages(CATALOGUE, {"legal_basis": basis})
    for number, page in enumerate(pages, start=1):
        view = form_view(request(legal_basis=basis), page, number, len(pages), TODAY, CONFIG)
        assert validate_view(view) == []
        assert view["callback_id"] == ids.FORM_VIEW and view["notify_on_close"] is True
        assert view["submit"]["text"] == ("Done" if number == len(pages) else "Next")
        fields = {f.key: f for f in page.fields}
        for block in view["blocks"]:
            if block["type"] != "input":
                continue
            key = block["block_id"].removeprefix(ids.FORM_BLOCK_PREFIX)
            element = block["element"]["type"]
            kind = fields[key].kind
            if fields[key].options or kind == FieldKind.YES_NO:
                assert element == "static_select"
            elif kind == FieldKind.DATE and key != "order_expiry":
                assert element == "datepicker"
            else:
                assert element == "plain_text_input"


def test_answers_already_given_are_shown_as_initial_values() -> None:
    given = request(
        visor_ref="NOM/1234567",
        pnc_id=None,
        legal_basis="order",
        order_monitoring_clause=False,
        order_date="2025-05-01",
        order_expiry="indefinite",
    )
    branch = form_pages(CATALOGUE, given.answers)[1]
    view = form_view(given, branch, 2, 5, TODAY, CONFIG)
    basis = next(b for b in view["blocks"] if b.get("block_id") == ids.form_block("legal_basis"))
    assert basis["dispatch_action"] is True
    blocks = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    clause = blocks[ids.form_block("order_monitoring_clause")]["element"]
    assert clause["initial_option"]["value"] == "no"
    assert blocks[ids.form_block("order_date")]["element"]["initial_date"] == "2025-05-01"
    expiry = blocks[ids.form_block("order_expiry")]["element"]
    assert expiry["type"] == "plain_text_input" and expiry["initial_value"] == "indefinite"
    person = form_view(given, form_pages(CATALOGUE, given.answers)[0], 1, 5, TODAY, CONFIG)
    visor = next(b for b in person["blocks"] if b["block_id"] == ids.form_block("visor_ref"))
    assert visor["element"]["initial_value"] == "NOM/1234567" and visor["optional"] is False


def test_limits_hold_for_a_long_answer_and_a_long_list_of_products() -> None:
    products = tuple(
        replace(CONFIG.software[0], value=f"p{n}", label=f"Product {n} " + "x" * 60)
        for n in range(150)
    )
    config = replace(CONFIG, software=products)
    catalogue = build_catalogue(config)
    given = request(legal_basis="voluntary", notes="n" * 5000)
    page = form_pages(catalogue, given.answers)[-1]
    view = form_view(given, page, 5, 5, TODAY, config)
    assert validate_view(view) == []


def test_submitted_values_are_read_by_field_key_and_errors_carry_the_example() -> None:
    state = {
        ids.form_block("visor_ref"): {"value": {"type": "plain_text_input", "value": "x"}},
        ids.form_block("legal_basis"): {
            "value": {"type": "static_select", "selected_option": {"value": "order"}}
        },
        ids.form_block("order_date"): {
            "value": {"type": "datepicker", "selected_date": "2025-05-01"}
        },
        ids.form_block("pnc_id"): {"value": {"type": "plain_text_input", "value": None}},
        "elsewhere": {"value": {"value": "ignored"}},
    }
    assert form_values(state) == {
        "visor_ref": "x",
        "legal_basis": "order",
        "order_date": "2025-05-01",
        "pnc_id": "",
    }
    fields = {f.key: f for f in CATALOGUE.fields}
    errors = form_errors({"visor_ref": "That is not a reference."}, fields)
    assert errors == {
        ids.form_block("visor_ref"): "That is not a reference. Example: "
        + fields["visor_ref"].example
    }


def test_the_first_message_button_is_valid_block_kit() -> None:
    assert validate_blocks([form_actions(request())], surface="message") == []
