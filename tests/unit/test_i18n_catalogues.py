"""The catalogues: complete in both languages, placeholders kept, compiled copies current, and
every marked string in the code has its entry (docs/i18n.md)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from flows import i18n

ROOT = Path(__file__).resolve().parents[2]
#: the keywords `make extract` uses (BABEL_KEYWORDS in the Makefile)
KEYWORDS = {
    "t": None,
    "N_": None,
    "NN_": (1, 2),
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
}
CATALOGUES = [(domain, language) for domain in i18n.DOMAINS for language in i18n.LANGUAGES]


def po(domain: str, language: str) -> Catalog:
    path = i18n.LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.po"
    with path.open("rb") as handle:
        return read_po(handle, locale=language, domain=domain)


def entries(catalogue: Catalog) -> dict[tuple[str | None, str], Message]:
    return {
        (message.context, message.id[0] if isinstance(message.id, tuple | list) else message.id): (
            message
        )
        for message in catalogue
        if message.id
    }


def strings(message: Message) -> tuple[str, ...]:
    if isinstance(message.string, tuple | list):
        return tuple(message.string)
    return (message.string or "",)


def test_the_makefile_extracts_with_the_keywords_the_tests_use() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    [line] = [line for line in makefile.splitlines() if line.startswith("BABEL_KEYWORDS")]
    words = line.split()
    used = {words[i + 1].split(":")[0] for i, word in enumerate(words) if word == "-k"}
    assert "--no-default-keywords" in words
    assert used == set(KEYWORDS)


@pytest.mark.parametrize(("domain", "language"), CATALOGUES)
def test_every_entry_is_translated_and_none_is_fuzzy(domain: str, language: str) -> None:
    catalogue = po(domain, language)
    assert catalogue.locale is not None and str(catalogue.locale) == language
    for key, message in entries(catalogue).items():
        assert not message.fuzzy, f"{domain}/{language}: {key} is fuzzy (it would not be shown)"
        assert all(s.strip() for s in strings(message)), f"{domain}/{language}: {key} is empty"


@pytest.mark.parametrize("domain", i18n.DOMAINS)
def test_english_and_welsh_have_the_same_entries(domain: str) -> None:
    english, welsh = entries(po(domain, "en")), entries(po(domain, "cy"))
    assert sorted(english, key=str) == sorted(welsh, key=str)


@pytest.mark.parametrize(("domain", "language"), CATALOGUES)
def test_each_translation_has_exactly_the_placeholders_of_its_msgid(
    domain: str, language: str
) -> None:
    for key, message in entries(po(domain, language)).items():
        if isinstance(message.id, tuple | list):
            # a plural form may say "one" in words instead of {n}; every other name is kept
            wanted = i18n.placeholders(message.id[1]) - {"n"}
            assert i18n.placeholders(message.id[0]) - {"n"} == wanted, key
            for form in strings(message):
                assert i18n.placeholders(form) - {"n"} == wanted, (domain, language, key, form)
        else:
            assert i18n.placeholders(strings(message)[0]) == i18n.placeholders(message.id), (
                domain,
                language,
                key,
            )


@pytest.mark.parametrize(("domain", "language"), CATALOGUES)
def test_the_compiled_catalogue_is_the_po_file(domain: str, language: str) -> None:
    path = i18n.LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.mo"
    assert path.is_file(), f"{path} is missing: run `make i18n`"
    with path.open("rb") as handle:
        compiled = read_mo(handle)
    expected = {key: strings(message) for key, message in entries(po(domain, language)).items()}
    found = {key: strings(message) for key, message in entries(compiled).items()}
    assert found == expected, f"{path} is stale: run `make i18n`"


@pytest.mark.parametrize("domain", i18n.DOMAINS)
def test_every_marked_string_in_the_domains_files_has_an_entry(domain: str) -> None:
    config = (i18n.LOCALE_DIR / f"{domain}.cfg").read_text(encoding="utf-8")
    patterns = [
        line.strip()[len("[python:") : -1].strip()
        for line in config.splitlines()
        if line.strip().startswith("[python:")
    ]
    assert patterns
    method_map = [(pattern, "python") for pattern in patterns]
    marked = {
        (context, msgid[0] if isinstance(msgid, tuple) else msgid, filename)
        for filename, _, msgid, _, context in extract_from_dir(
            str(ROOT), method_map, keywords=KEYWORDS, comment_tags=()
        )
    }
    for language in i18n.LANGUAGES:
        known = entries(po(domain, language))
        missing = sorted(
            f"{filename}: {msgid!r}"
            for context, msgid, filename in marked
            if (context, msgid) not in known
        )
        assert not missing, f"not in {domain}/{language} (run `make extract`): {missing}"


def test_a_string_in_two_domains_means_the_same_in_both() -> None:
    for language in i18n.LANGUAGES:
        seen: dict[tuple[str | None, str], tuple[str, tuple[str, ...]]] = {}
        for domain in i18n.DOMAINS:
            for key, message in entries(po(domain, language)).items():
                if key in seen:
                    other, translation = seen[key]
                    assert translation == strings(message), (
                        f"{key} is {translation} in {other} but {strings(message)} in {domain} "
                        f"({language}): the first domain would win; use pgettext or agree"
                    )
                seen[key] = (domain, strings(message))


def test_the_package_carries_the_compiled_catalogues() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "locale/*/LC_MESSAGES/*.mo" in project["tool"]["setuptools"]["package-data"]["flows"]
    assert any(dependency.startswith("Babel") for dependency in project["project"]["dependencies"])


def test_mo_files_are_built_not_committed() -> None:
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert "*.mo" in ignored
