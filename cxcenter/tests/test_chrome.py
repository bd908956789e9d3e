"""The layout's navigation and shortcut dialog, written by tags: escaped, the current link
marked, the dialog in the language of each request."""

from django.template import Context, Template
from django.utils import translation


def test_shortcuts_dialog_follows_the_language_of_each_rendering() -> None:
    page = Template("{% load chrome %}{% shortcuts_dialog %}")
    with translation.override("en"):
        english = page.render(Context())
    with translation.override("nl"):
        dutch = page.render(Context())
    with translation.override("en"):
        again = page.render(Context())
    assert '<dialog id="shortcuts"' in english
    assert "Keyboard shortcuts" in english and "Keyboard shortcuts" not in dutch
    assert "Sneltoetsen" in dutch
    assert again == english


def test_navigation_items_are_escaped_and_the_current_one_is_marked() -> None:
    page = Template("{% load chrome %}{% mainnav_items items %}")
    body = page.render(
        Context(
            {
                "items": [
                    {"url": "/inbox/", "label": "Inbox", "active": True},
                    {"url": "/a/?x=1&y=2", "label": "<Klanten>", "active": False},
                ]
            }
        )
    )
    assert body == (
        '<li><a href="/inbox/" aria-current="page">Inbox</a></li>\n'
        '<li><a href="/a/?x=1&amp;y=2">&lt;Klanten&gt;</a></li>\n'
    )
