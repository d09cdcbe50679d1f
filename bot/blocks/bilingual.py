"""Messages in the thread languages: one rendering per language, one after the other.

A second rendering's block ids get the language as a suffix (`approval_title:cy`), since a
message's block ids must be unique; an actions block is rendered once, outside, with labels in
every language (`flows.i18n.joined`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flows.i18n import DEFAULT_LANGUAGE, Translator, translator, translators

Block = dict[str, Any]


def thread_translators(languages: Sequence[str]) -> list[Translator]:
    return translators(languages or (DEFAULT_LANGUAGE,))


def first(languages: Sequence[str]) -> Translator:
    """The translator of the first thread language (for what is shown once)."""
    return translator(languages[0] if languages else DEFAULT_LANGUAGE)


def in_languages(
    languages: Sequence[str], render: Callable[[Translator], list[Block]]
) -> list[Block]:
    """`render` once per language, a divider between; later renderings' block ids suffixed."""
    blocks: list[Block] = []
    for index, t in enumerate(thread_translators(languages)):
        rendered = render(t)
        if index:
            blocks.append({"type": "divider"})
            rendered = [suffixed(block, t.language) for block in rendered]
        blocks.extend(rendered)
    return blocks


def suffixed(block: Block, language: str) -> Block:
    if "block_id" not in block:
        return block
    return {**block, "block_id": f"{block['block_id']}:{language}"}


def texts(languages: Sequence[str], render: Callable[[Translator], str], sep: str = " / ") -> str:
    """A message's fallback text (notifications, screen readers) in each language."""
    return sep.join(render(t) for t in thread_translators(languages))
