"""Fill each empty English msgstr with its msgid (`make extract` runs it).

The English catalogues are complete like the Welsh ones, so that English wording can be edited in
the catalogue without changing a msgid; a new entry starts as its msgid.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po


def fill(path: Path) -> int:
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale="en")
    filled = 0
    for message in catalogue:
        if not message.id:
            continue
        if isinstance(message.id, tuple | list):
            if not isinstance(message.string, tuple | list) or not all(message.string):
                message.string = (message.id[0], message.id[1])
                filled += 1
        elif not message.string:
            message.string = message.id
            filled += 1
    if filled:
        with path.open("wb") as handle:
            write_po(handle, catalogue, width=0, include_previous=False, sort_output=True)
    return filled


def main(locale_dir: str) -> None:
    for path in sorted(Path(locale_dir, "en", "LC_MESSAGES").glob("*.po")):
        filled = fill(path)
        if filled:
            print(f"{path}: {filled} English entries filled with their msgid")


if __name__ == "__main__":
    main(sys.argv[1])
