"""The form: the same questions as the thread, in pages by section (the person, the legal basis
and then its branch, risk, the device, software). Pages are derived from the catalogue, so a new
question appears in the form without a second edit. Pure: no Slack."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flows.fields import SECTIONS, Catalogue, Field
from flows.i18n import translator


@dataclass(frozen=True)
class FormPage:
    #: stable between requests: the section's name ("person", "basis", "risk", "device",
    #: "software")
    name: str
    title: str
    fields: tuple[Field, ...]


@dataclass
class FormOutcome:
    """A page submitted: either its errors by field key (nothing was stored), or what to say in
    the thread and the next page (None: the form is done)."""

    errors: dict[str, str] = field(default_factory=dict)
    outputs: list[Any] = field(default_factory=list)
    next_page: FormPage | None = None
    #: answers given elsewhere (an earlier request's, reused from the thread) while the page was
    #: open and left empty on it: kept, and the page is shown again with them filled in
    refilled: tuple[str, ...] = ()


def form_pages(catalogue: Catalogue, answers: Mapping[str, Any]) -> list[FormPage]:
    """The pages for the answers so far, one per section. The basis page holds the basis and
    the questions of its branch (choosing another basis redraws the page with that branch's).
    A page shows every question its section may ask on this basis; one whose condition is not
    met (a serial number for a phone) is optional there and ignored when it does not apply."""
    basis = answers.get("legal_basis")
    t = translator(catalogue.language)  # the titles are worded as the catalogue's questions
    pages: list[FormPage] = []
    for section, title in SECTIONS:
        fields = tuple(
            f
            for f in catalogue.fields
            if f.section == section and (f.branch is None or f.branch == basis)
        )
        if fields:
            pages.append(FormPage(section, t(title), fields))
    return pages


def with_basis(
    catalogue: Catalogue, answers: Mapping[str, Any], values: Mapping[str, str]
) -> dict[str, Any]:
    """The answers as a page submitting `values` would make its branch: the basis chosen on it
    (an option's value) decides which branch questions the page holds."""
    chosen = values.get("legal_basis")
    if chosen in catalogue.bases:
        return {**answers, "legal_basis": chosen}
    return dict(answers)


def page_named(catalogue: Catalogue, answers: Mapping[str, Any], name: str) -> FormPage | None:
    return next((p for p in form_pages(catalogue, answers) if p.name == name), None)


def page_after(catalogue: Catalogue, answers: Mapping[str, Any], name: str) -> FormPage | None:
    pages = form_pages(catalogue, answers)
    names = [p.name for p in pages]
    if name not in names:
        return None
    position = names.index(name)
    return pages[position + 1] if position + 1 < len(pages) else None


def first_page_to_fill(catalogue: Catalogue, answers: Mapping[str, Any]) -> FormPage:
    """Where the form opens: the first page with a question still unanswered (the thread may
    have answered the earlier ones), else the first page, to edit."""
    pages = form_pages(catalogue, answers)
    for page in pages:
        if any(f.applies(answers) and f.key not in answers for f in page.fields):
            return page
    return pages[0]


def shown_on(page: FormPage, answers: Mapping[str, Any]) -> list[str]:
    """The page's questions that already had an answer when it was drawn (shown filled in)."""
    return [f.key for f in page.fields if f.key in answers]


def required_here(field: Field, answers: Mapping[str, Any]) -> bool:
    """Whether the page must have an answer to this question: it applies and is not optional.
    (Conditional questions are shown as optional: whether they apply may depend on another
    answer on the same page.)"""
    return not field.optional and field.condition is None and field.applies(answers)
