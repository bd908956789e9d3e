"""The API's JSON parser: DRF's, refusing NUL characters and absurd nesting with a 400."""

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.parsers import JSONParser

# Deepest nesting of JSON the API accepts; the deepest real payload (a batch) has 4.
JSON_MAX_DEPTH = 32


def _check(value: Any, depth: int) -> None:
    if depth > JSON_MAX_DEPTH:
        raise exceptions.ParseError(
            _("JSON nested deeper than %(depth)d levels.") % {"depth": JSON_MAX_DEPTH}
        )
    if isinstance(value, str):
        if "\x00" in value:
            raise exceptions.ParseError(_("JSON contains a NUL character."))
    elif isinstance(value, dict):
        for key, item in value.items():
            _check(key, depth + 1)
            _check(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check(item, depth + 1)


class GuardedJSONParser(JSONParser):
    """DRF's JSON parser, refusing NUL characters and nesting beyond ``JSON_MAX_DEPTH``."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(
                _("JSON nested deeper than %(depth)d levels.") % {"depth": JSON_MAX_DEPTH}
            ) from None
        _check(data, 0)
        return data
