"""Block Kit checks that mirror the limits Slack enforces.

Errors are reported the way Slack reports them in ``response_metadata.messages``:
``[ERROR] <what is wrong> [json-pointer:/blocks/0/text/text]``.
Limits come from Slack's Block Kit reference; those the shared reference states are read from the
Slack digest (``block_kit_limit``). Only structure Slack would reject is flagged.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from tests.support.reference import block_kit_limit

Surface = Literal["message", "modal", "home"]

MAX_BLOCKS: dict[Surface, int] = {
    "message": block_kit_limit("message_blocks"),
    "modal": block_kit_limit("modal_blocks"),
    "home": block_kit_limit("modal_blocks"),
}
MAX_MESSAGE_TEXT = 40_000
MAX_ATTACHMENTS = 100

SECTION_TEXT_MAX = block_kit_limit("section_text")
SECTION_FIELDS_MAX = 10
SECTION_FIELD_TEXT_MAX = 2000
HEADER_TEXT_MAX = 150
ACTIONS_ELEMENTS_MAX = block_kit_limit("actions_elements")
CONTEXT_ELEMENTS_MAX = 10
ID_MAX = min(
    block_kit_limit("block_id"), block_kit_limit("action_id")
)  # and callback_id, external_id
BUTTON_TEXT_MAX = block_kit_limit("button_text")
BUTTON_VALUE_MAX = block_kit_limit("button_value")
URL_MAX = 3000
PLACEHOLDER_MAX = 150
OPTION_TEXT_MAX = 75
OPTION_VALUE_MAX = 150
LABEL_MAX = 2000
TEXT_INPUT_LENGTH_MAX = 3000
MARKDOWN_BLOCK_TEXT_MAX = 12_000
CONFIRM_TITLE_MAX = 100
CONFIRM_TEXT_MAX = 300
CONFIRM_BUTTON_MAX = 30
VIEW_TITLE_MAX = 24
VIEW_BUTTON_MAX = 24
PRIVATE_METADATA_MAX = 3000

BLOCK_TYPES: dict[Surface, frozenset[str]] = {
    "message": frozenset(
        {
            "actions",
            "context",
            "divider",
            "file",
            "header",
            "image",
            "input",
            "markdown",
            "rich_text",
            "section",
            "video",
        }
    ),
    "modal": frozenset(
        {
            "actions",
            "context",
            "divider",
            "header",
            "image",
            "input",
            "rich_text",
            "section",
            "video",
        }
    ),
    "home": frozenset(
        {
            "actions",
            "context",
            "divider",
            "header",
            "image",
            "input",
            "rich_text",
            "section",
            "video",
        }
    ),
}

_SELECTS = frozenset(
    {
        "static_select",
        "external_select",
        "users_select",
        "conversations_select",
        "channels_select",
        "multi_static_select",
        "multi_external_select",
        "multi_users_select",
        "multi_conversations_select",
        "multi_channels_select",
    }
)
_CHOICES = frozenset({"checkboxes", "radio_buttons"})
_PICKERS = frozenset({"datepicker", "timepicker", "datetimepicker"})
ACTIONS_ELEMENTS = _SELECTS | _CHOICES | _PICKERS | {"button", "overflow", "workflow_button"}
ACCESSORY_ELEMENTS = ACTIONS_ELEMENTS | {"image"}
INPUT_ELEMENTS = (
    _SELECTS
    | _CHOICES
    | _PICKERS
    | {
        "plain_text_input",
        "email_text_input",
        "url_text_input",
        "number_input",
        "rich_text_input",
        "file_input",
    }
)
OPTION_LIMITS = {"overflow": 5, "checkboxes": 10, "radio_buttons": 10}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class _Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, pointer: str, message: str) -> None:
        self.errors.append(f"[ERROR] {message} [json-pointer:{pointer}]")

    # -- primitives -----------------------------------------------------------------------

    def string(self, parent: dict[str, Any], key: str, pointer: str, limit: int) -> None:
        """Optional string field ``parent[key]`` of at most ``limit`` characters."""
        if key not in parent:
            return
        value = parent[key]
        if not isinstance(value, str):
            self.fail(f"{pointer}/{key}", "must provide a string")
        elif len(value) > limit:
            self.fail(f"{pointer}/{key}", f"must be less than {limit + 1} characters")

    def identifier(self, parent: dict[str, Any], key: str, pointer: str) -> None:
        self.string(parent, key, pointer, ID_MAX)
        if parent.get(key) == "":
            self.fail(f"{pointer}/{key}", "must be more than 0 characters")

    def text(
        self,
        parent: dict[str, Any],
        key: str,
        pointer: str,
        limit: int,
        *,
        plain_only: bool = False,
        required: bool = False,
    ) -> None:
        """A text object ``parent[key]`` (``plain_text`` or ``mrkdwn``) of 1..limit chars."""
        pointer = f"{pointer}/{key}"
        if key not in parent or parent[key] is None:
            if required:
                self.fail(pointer, "must provide an object")
            return
        self.text_object(parent[key], pointer, limit, plain_only=plain_only)

    def text_object(self, obj: Any, pointer: str, limit: int, *, plain_only: bool = False) -> None:
        allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
        if not isinstance(obj, dict) or obj.get("type") not in allowed:
            self.fail(pointer, f"must be a text object of type {' or '.join(allowed)}")
            return
        value = obj.get("text")
        if not isinstance(value, str):
            self.fail(f"{pointer}/text", "must provide a string")
        elif not value:
            self.fail(f"{pointer}/text", "must be more than 0 characters")
        elif len(value) > limit:
            self.fail(f"{pointer}/text", f"must be less than {limit + 1} characters")

    def array(
        self, parent: dict[str, Any], key: str, pointer: str, limit: int, *, required: bool = False
    ) -> list[Any]:
        """The list ``parent[key]`` (1..limit items); returns it, or [] when unusable."""
        pointer = f"{pointer}/{key}"
        if key not in parent:
            if required:
                self.fail(pointer, "must provide an array")
            return []
        items = parent[key]
        if not isinstance(items, list):
            self.fail(pointer, "must provide an array")
            return []
        if required and not items:
            self.fail(pointer, "must provide at least 1 item")
        if len(items) > limit:
            self.fail(pointer, f"no more than {limit} items allowed")
        return items

    # -- composition objects ----------------------------------------------------------------

    def confirm(self, parent: dict[str, Any], pointer: str) -> None:
        if "confirm" not in parent:
            return
        confirm = parent["confirm"]
        pointer = f"{pointer}/confirm"
        if not isinstance(confirm, dict):
            self.fail(pointer, "must provide an object")
            return
        self.text(confirm, "title", pointer, CONFIRM_TITLE_MAX, plain_only=True, required=True)
        self.text(confirm, "text", pointer, CONFIRM_TEXT_MAX, required=True)
        self.text(confirm, "confirm", pointer, CONFIRM_BUTTON_MAX, plain_only=True, required=True)
        self.text(confirm, "deny", pointer, CONFIRM_BUTTON_MAX, plain_only=True, required=True)
        if confirm.get("style", "primary") not in ("primary", "danger"):
            self.fail(f"{pointer}/style", "must be one of: primary, danger")

    def options(self, element: dict[str, Any], pointer: str, limit: int, *, plain: bool) -> None:
        for key in ("options", "initial_options"):
            for index, option in enumerate(self.array(element, key, pointer, limit)):
                self.option(option, f"{pointer}/{key}/{index}", plain=plain)
        if "initial_option" in element:
            self.option(element["initial_option"], f"{pointer}/initial_option", plain=plain)
        for index, group in enumerate(self.array(element, "option_groups", pointer, 100)):
            group_pointer = f"{pointer}/option_groups/{index}"
            if not isinstance(group, dict):
                self.fail(group_pointer, "must provide an object")
                continue
            self.text(
                group, "label", group_pointer, OPTION_TEXT_MAX, plain_only=True, required=True
            )
            for option_index, option in enumerate(
                self.array(group, "options", group_pointer, 100, required=True)
            ):
                self.option(option, f"{group_pointer}/options/{option_index}", plain=plain)

    def option(self, option: Any, pointer: str, *, plain: bool) -> None:
        if not isinstance(option, dict):
            self.fail(pointer, "must provide an object")
            return
        self.text(option, "text", pointer, OPTION_TEXT_MAX, plain_only=plain, required=True)
        self.string(option, "value", pointer, OPTION_VALUE_MAX)
        self.text(option, "description", pointer, OPTION_TEXT_MAX, plain_only=plain)
        self.string(option, "url", pointer, URL_MAX)

    # -- elements ---------------------------------------------------------------------------

    def element(self, element: Any, pointer: str, allowed: frozenset[str]) -> None:
        if not isinstance(element, dict):
            self.fail(pointer, "must provide an object")
            return
        kind = element.get("type")
        if kind not in allowed:
            self.fail(f"{pointer}/type", f"element type {kind!r} is not allowed here")
            return
        if kind == "image":
            self.image(element, pointer)
            return
        self.identifier(element, "action_id", pointer)
        self.confirm(element, pointer)
        self.text(element, "placeholder", pointer, PLACEHOLDER_MAX, plain_only=True)
        if kind == "button":
            self.text(element, "text", pointer, BUTTON_TEXT_MAX, plain_only=True, required=True)
            self.string(element, "value", pointer, BUTTON_VALUE_MAX)
            self.string(element, "url", pointer, URL_MAX)
            self.string(element, "accessibility_label", pointer, BUTTON_TEXT_MAX)
            if element.get("style", "primary") not in ("primary", "danger"):
                self.fail(f"{pointer}/style", "must be one of: primary, danger")
        elif kind in _SELECTS or kind == "overflow":
            self.options(element, pointer, OPTION_LIMITS.get(kind, 100), plain=True)
        elif kind in _CHOICES:
            self.options(element, pointer, OPTION_LIMITS[kind], plain=False)
        elif kind == "plain_text_input":
            self.plain_text_input(element, pointer)
        elif kind == "datepicker" and not _DATE.match(
            str(element.get("initial_date", "2000-01-01"))
        ):
            self.fail(f"{pointer}/initial_date", "must match the format YYYY-MM-DD")

    def plain_text_input(self, element: dict[str, Any], pointer: str) -> None:
        for key in ("min_length", "max_length"):
            if key not in element:
                continue
            value = element[key]
            if not isinstance(value, int) or isinstance(value, bool):
                self.fail(f"{pointer}/{key}", "must provide an integer")
            elif not 0 <= value <= TEXT_INPUT_LENGTH_MAX:
                self.fail(f"{pointer}/{key}", f"must be between 0 and {TEXT_INPUT_LENGTH_MAX}")
        if "initial_value" in element and not isinstance(element["initial_value"], str):
            self.fail(f"{pointer}/initial_value", "must provide a string")

    def image(self, image: dict[str, Any], pointer: str) -> None:
        if "image_url" not in image and "slack_file" not in image:
            self.fail(pointer, "must provide image_url or slack_file")
        self.string(image, "image_url", pointer, URL_MAX)
        if not isinstance(image.get("alt_text"), str) or not image["alt_text"]:
            self.fail(f"{pointer}/alt_text", "must provide a non-empty string")
        self.string(image, "alt_text", pointer, LABEL_MAX)

    # -- blocks -----------------------------------------------------------------------------

    def blocks(self, blocks: Any, pointer: str, surface: Surface) -> None:
        if not isinstance(blocks, list):
            self.fail(pointer, "must provide an array")
            return
        if len(blocks) > MAX_BLOCKS[surface]:
            self.fail(pointer, f"no more than {MAX_BLOCKS[surface]} items allowed")
        seen_block_ids: set[str] = set()
        for index, block in enumerate(blocks):
            self.block(block, f"{pointer}/{index}", surface, seen_block_ids)

    def block(self, block: Any, pointer: str, surface: Surface, seen_block_ids: set[str]) -> None:
        if not isinstance(block, dict):
            self.fail(pointer, "must provide an object")
            return
        kind = block.get("type")
        if kind not in BLOCK_TYPES[surface]:
            self.fail(f"{pointer}/type", f"block type {kind!r} is not allowed in a {surface}")
            return
        self.identifier(block, "block_id", pointer)
        block_id = block.get("block_id")
        if isinstance(block_id, str):
            if block_id in seen_block_ids:
                self.fail(f"{pointer}/block_id", f"duplicate block_id {block_id!r}")
            seen_block_ids.add(block_id)

        if kind == "section":
            self.section(block, pointer)
        elif kind == "header":
            self.text(block, "text", pointer, HEADER_TEXT_MAX, plain_only=True, required=True)
        elif kind == "actions":
            elements = self.array(block, "elements", pointer, ACTIONS_ELEMENTS_MAX, required=True)
            seen_action_ids: set[str] = set()
            for index, element in enumerate(elements):
                self.element(element, f"{pointer}/elements/{index}", ACTIONS_ELEMENTS)
                action_id = element.get("action_id") if isinstance(element, dict) else None
                if isinstance(action_id, str):
                    if action_id in seen_action_ids:
                        self.fail(
                            f"{pointer}/elements/{index}/action_id",
                            f"duplicate action_id {action_id!r} in the block",
                        )
                    seen_action_ids.add(action_id)
        elif kind == "context":
            elements = self.array(block, "elements", pointer, CONTEXT_ELEMENTS_MAX, required=True)
            for index, element in enumerate(elements):
                element_pointer = f"{pointer}/elements/{index}"
                if isinstance(element, dict) and element.get("type") == "image":
                    self.image(element, element_pointer)
                else:
                    self.text_object(element, element_pointer, SECTION_TEXT_MAX)
        elif kind == "input":
            self.text(block, "label", pointer, LABEL_MAX, plain_only=True, required=True)
            self.text(block, "hint", pointer, LABEL_MAX, plain_only=True)
            if "element" not in block:
                self.fail(f"{pointer}/element", "must provide an object")
            else:
                self.element(block["element"], f"{pointer}/element", INPUT_ELEMENTS)
        elif kind == "image":
            self.image(block, pointer)
            self.text(block, "title", pointer, LABEL_MAX, plain_only=True)
        elif kind == "rich_text":
            self.array(block, "elements", pointer, 10_000, required=True)
        elif kind == "markdown":
            if not isinstance(block.get("text"), str):
                self.fail(f"{pointer}/text", "must provide a string")
            self.string(block, "text", pointer, MARKDOWN_BLOCK_TEXT_MAX)

    def section(self, block: dict[str, Any], pointer: str) -> None:
        if "text" not in block and "fields" not in block:
            self.fail(pointer, "must provide text or fields")
        self.text(block, "text", pointer, SECTION_TEXT_MAX)
        for index, field in enumerate(self.array(block, "fields", pointer, SECTION_FIELDS_MAX)):
            self.text_object(field, f"{pointer}/fields/{index}", SECTION_FIELD_TEXT_MAX)
        if "accessory" in block:
            self.element(block["accessory"], f"{pointer}/accessory", ACCESSORY_ELEMENTS)

    # -- views ------------------------------------------------------------------------------

    def view(self, view: Any, pointer: str) -> None:
        if not isinstance(view, dict):
            self.fail(pointer, "must provide an object")
            return
        kind = view.get("type")
        if kind not in ("modal", "home"):
            self.fail(f"{pointer}/type", "must be one of: modal, home")
            return
        if kind == "modal":
            self.text(view, "title", pointer, VIEW_TITLE_MAX, plain_only=True, required=True)
            self.text(view, "submit", pointer, VIEW_BUTTON_MAX, plain_only=True)
            self.text(view, "close", pointer, VIEW_BUTTON_MAX, plain_only=True)
            blocks = view.get("blocks")
            has_input = isinstance(blocks, list) and any(
                isinstance(b, dict) and b.get("type") == "input" for b in blocks
            )
            if has_input and not view.get("submit"):
                self.fail(f"{pointer}/submit", "must provide submit when the view has input blocks")
        self.string(view, "private_metadata", pointer, PRIVATE_METADATA_MAX)
        self.identifier(view, "callback_id", pointer)
        self.identifier(view, "external_id", pointer)
        if "blocks" not in view:
            self.fail(f"{pointer}/blocks", "must provide an array")
        else:
            self.blocks(view["blocks"], f"{pointer}/blocks", kind)


def validate_blocks(
    blocks: Any, *, surface: Surface = "message", pointer: str = "/blocks"
) -> list[str]:
    """Problems Slack would report for a ``blocks`` array (empty list when valid)."""
    checker = _Checker()
    checker.blocks(blocks, pointer, surface)
    return checker.errors


def validate_attachments(attachments: Any, pointer: str = "/attachments") -> list[str]:
    """Problems with the blocks inside legacy attachments (empty list when valid)."""
    checker = _Checker()
    if not isinstance(attachments, list):
        checker.fail(pointer, "must provide an array")
        return checker.errors
    for index, attachment in enumerate(attachments):
        if isinstance(attachment, dict) and "blocks" in attachment:
            checker.blocks(attachment["blocks"], f"{pointer}/{index}/blocks", "message")
    return checker.errors


def validate_view(view: Any, pointer: str = "/view") -> list[str]:
    """Problems Slack would report for a modal or Home tab view (empty list when valid)."""
    checker = _Checker()
    checker.view(view, pointer)
    return checker.errors
