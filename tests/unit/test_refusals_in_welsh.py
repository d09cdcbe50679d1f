"""Refusals reach the person who tried in their own language: the channel policy's, Slack's
directory being unavailable, and the rules' own (decisions, delegation, installation, review,
an impossible transition). Under the marking translators, nothing refused is shown without a
catalogue entry, in English or in Welsh."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

import pytest

from bot.slack.cache import BoundedAgeCache, DirectoryUnavailable
from bot.slack.directory import ChannelPolicy
from flows import delegation, installation
from flows.approval import already_decided, check_decider
from flows.errors import DomainError
from flows.i18n import LANGUAGES, Language, translator
from flows.models import MonitoringRequest
from flows.request_machine import Stage, fire
from flows.review import review_date_problem
from tests.support.i18n import assert_translated, marked_translations, plain
from tests.unit.test_directory_cache import slack_error

TODAY = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 10, tzinfo=UTC)


@pytest.fixture(params=LANGUAGES)
def language(request: pytest.FixtureRequest) -> Iterator[Language]:
    with marked_translations():
        yield request.param


class Channels:
    """conversations.info as Slack answers it, per channel id (an exception: raised)."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers

    def conversations_info(self, channel: str) -> dict[str, Any]:
        answer = self.answers[channel]
        if isinstance(answer, BaseException):
            raise answer
        return {"channel": answer}


def policy(allowed: tuple[str, ...] = ()) -> ChannelPolicy:
    client = Channels(
        {
            "G0PRIVATE": {"is_private": True},
            "C0PUBLIC": {"is_private": False},
            "G0SHARED": {"is_private": True, "is_ext_shared": True},
            "G0MPIM": {"is_mpim": True, "is_private": True},
            "G0UNSEEN": slack_error("channel_not_found"),
            "G0DOWN": slack_error("service_unavailable", 503),
        }
    )
    return ChannelPolicy(client, allowed)  # type: ignore[arg-type]


def shown_in(language: Language, words: Callable[..., str] | None) -> str:
    assert words is not None, "refused"
    text = words(translator(language))
    assert_translated({"text": text})
    return str(plain(text))


WELSH_CHANNEL_REFUSALS = {
    "D0DIRECT": "Ni ellir gwneud ceisiadau monitro mewn neges uniongyrchol.",
    "G0MPIM": "Ni ellir gwneud ceisiadau monitro mewn neges uniongyrchol.",
    "C0PUBLIC": "Mae'r sianel hon yn gyhoeddus.",
    "G0SHARED": "Mae'r sianel hon wedi'i rhannu â sefydliad arall (Slack Connect)",
    "G0UNSEEN": "Defnyddiwch sianel breifat eich uned, a gwnewch yn siŵr",
    "G0DOWN": "Ni allwn wirio y sianel hon gyda Slack ar hyn o bryd",
}


@pytest.mark.parametrize("channel", sorted(WELSH_CHANNEL_REFUSALS))
def test_each_channel_refusal_is_catalogued_and_welsh_in_welsh(
    language: Language, channel: str
) -> None:
    text = shown_in(language, policy().refusal(channel))
    assert text.startswith(WELSH_CHANNEL_REFUSALS[channel]) == (language == "cy"), text


def test_a_channel_not_configured_is_refused_in_the_readers_language(language: Language) -> None:
    text = shown_in(language, policy(allowed=("G0OTHER",)).refusal("G0PRIVATE"))
    welsh = "Nid yw ceisiadau monitro yn cael eu derbyn yn y sianel hon."
    assert text.startswith(welsh) == (language == "cy")
    assert policy().refusal("G0PRIVATE") is None


def test_slack_unavailable_names_what_could_not_be_checked_in_the_readers_language(
    language: Language,
) -> None:
    def down(key: str) -> str:
        raise slack_error("ratelimited", 429)

    for what, welsh in [
        ("who is in the supervisors' user group", "pwy sydd yng ngrŵp defnyddwyr y goruchwylwyr"),
        ("this person's Slack language", "iaith Slack y person hwn"),
    ]:
        cache: BoundedAgeCache[str, str] = BoundedAgeCache(down, what, 60, 600)
        with pytest.raises(DirectoryUnavailable) as refused:
            cache.get("S1")
        text = refused.value.shown(translator(language))
        assert_translated({"text": text})
        assert (welsh in plain(text)) == (language == "cy")
        assert "10 minutes" in refused.value.message


def request(state: str = Stage.awaiting_approval, **fields: Any) -> MonitoringRequest:
    made = MonitoringRequest("U0OFFICER", "G0PRIVATE", created_at=NOW, state=state)
    made.request_id = "MR-7"
    for name, value in fields.items():
        setattr(made, name, value)
    return made


def refusals() -> list[DomainError]:
    """One of each refusal the rules word for whoever reads them."""
    found: list[DomainError] = []

    def caught(action: Callable[[], object]) -> None:
        try:
            action()
        except DomainError as error:
            found.append(error)
        else:
            raise AssertionError("not refused")

    waiting = request()
    caught(lambda: check_decider(waiting, "U0SUP", authorised=False))
    caught(lambda: check_decider(waiting, "U0OFFICER", authorised=True))
    caught(lambda: check_decider(waiting, "U0SUP", authorised=True, expected_round=9))
    helped = request(contributors=["U0SUP"])
    caught(lambda: check_decider(helped, "U0SUP", authorised=True, decision="approve"))
    for decided in ("approved", "rejected", "info_requested"):
        found.append(already_decided(request(decided, decision=decided)))
    found.append(already_decided(request(Stage.withdrawn)))
    caught(lambda: fire(request(Stage.withdrawn), "submit"))
    caught(lambda: fire(request(Stage.collecting, request_id=None), "approve"))
    caught(lambda: fire(request(), "reject", authorised=True, decider="U0SUP", reason=" "))
    for who, to, until in [
        (False, "U0DEP", "24/12/2026"),
        (True, "U0SUP", "24/12/2026"),
        (True, "U0DEP", "1/11/2026"),
        (True, "U0DEP", "1/1/2029"),
        (True, "U0DEP", "someday"),
    ]:
        caught(partial(delegation.delegate, "U0SUP", who, to, until, TODAY, NOW))
    caught(lambda: delegation.check_revoker(False))
    approved = request(Stage.approved)
    record = installation.record_installation
    caught(lambda: record(approved, "U0X", False, "installed", TODAY, None, TODAY, None, NOW))
    caught(lambda: record(approved, "U0OFFICER", False, "?", TODAY, None, TODAY, None, NOW))
    for on, approved_on in [(None, None), (date(2026, 12, 25), None), (TODAY, date(2026, 12, 1))]:
        caught(
            partial(
                record, approved, "U0OFFICER", False, "installed", on, None, TODAY, approved_on, NOW
            )
        )
    installed = request(Stage.installed)
    review = installation.record_review
    caught(lambda: review(installed, "U0OFFICER", False, "?", None, None, TODAY, NOW))
    caught(lambda: review(installed, "U0OFFICER", False, "continue", TODAY, None, TODAY, NOW))
    return found


def test_every_rule_refusal_is_catalogued_and_drawn_in_the_readers_language(
    language: Language,
) -> None:
    found = refusals()
    assert len(found) == 24
    t = translator(language)
    shown = [error.shown(t) for error in found]
    shown += [problem(t) for problem in map(_review_problem, (None, TODAY, date(2032, 1, 1)))]
    assert_translated([{"text": text} for text in shown], user_data=["someday"])
    every = "\n".join(plain(shown))
    welsh = [
        "Dim ond goruchwyliwr awdurdodedig all benderfynu ar geisiadau monitro.",
        "Roedd MR-7 eisoes wedi'i gymeradwyo.",
        "Mae MR-7 yn y cyflwr wedi'i dynnu'n ôl, felly ni ellir ei gyflwyno nawr.",
        "Mae'r cais hwn yn y cyflwr wrthi'n cael ei ysgrifennu, felly ni ellir ei gymeradwyo nawr.",
        "Mae 1 Tachwedd 2026 wedi mynd heibio",
        "Y dyddiad gorffen: ",
        "Ni all y dyddiad fod cyn y gymeradwyaeth ar 1 Rhagfyr 2026.",
        "Rhaid i'r dyddiad adolygu fod o fewn pum mlynedd.",
    ]
    for sentence in welsh:
        assert (sentence in every) == (language == "cy"), sentence
    # what is kept or logged stays in the default language, whoever reads the refusal
    assert (
        plain(found[0].message) == "Only an authorised supervisor can decide monitoring requests."
    )


def _review_problem(review: date | None) -> Callable[..., str]:
    problem = review_date_problem(review, TODAY)
    assert problem is not None
    return problem
