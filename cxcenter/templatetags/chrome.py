"""The parts of the layout on every page (base.html) written without a template node per
link: the main navigation, and the keyboard-shortcut dialog rendered once per language."""

import html
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

# The dialog holds nothing but translated text: one rendering per language and process.
_SHORTCUTS: dict[str | None, SafeString] = {}


@register.simple_tag
def shortcuts_dialog() -> SafeString:
    language = get_language()
    shown = _SHORTCUTS.get(language)
    if shown is None:
        shown = _SHORTCUTS[language] = mark_safe(render_to_string("shortcuts.html"))
    return shown


def _esc(value: object) -> str:
    return str(value) if isinstance(value, SafeData) else html.escape(str(value))


@register.simple_tag
def mainnav_items(items: list[dict[str, Any]]) -> SafeString:
    """The ``<li>`` of each navigation item, the current one marked with aria-current."""
    current = ' aria-current="page"'
    return mark_safe(  # every value is escaped
        "".join(
            f'<li><a href="{_esc(item["url"])}"{current if item["active"] else ""}>'
            f"{_esc(item['label'])}</a></li>\n"
            for item in items
        )
    )
