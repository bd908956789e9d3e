"""Text stored untranslated and rendered in the reader's language when it is shown.

A notification is written once but read by people with different languages, so it keeps
the English message id and its parameters (``Text``) and is translated when the bell, the
inbox or an e-mail shows it. Parameters may themselves be ``Text`` (a translated label) or
dates, which are formatted in the reader's language and the time zone given.
"""

import datetime as dt
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext

Part = str | dict[str, Any]


@dataclass(frozen=True)
class Text:
    """A message id (mark it with ``gettext_noop``) and its ``%(name)s`` parameters."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)


def text_lazy(label: Promise | str) -> Text:
    """A ``gettext_lazy`` label (a choice's label, say) kept as its untranslated id."""
    with translation.override(None):
        return Text(str(label))


def _param_store(value: Any) -> Any:
    if isinstance(value, Text):
        return text_store(value)
    if isinstance(value, dt.datetime):
        tz = value.tzinfo if isinstance(value.tzinfo, zoneinfo.ZoneInfo) else None
        return {"datetime": value.isoformat(), "tz": tz.key if tz else ""}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return {"list": [_param_store(v) for v in value]}
    return str(value)


def text_store(value: "Text | str") -> Part:
    """The JSON form of ``value``: a plain string stays as it is (never translated)."""
    if isinstance(value, Text):
        return {"m": value.msgid, "p": {k: _param_store(v) for k, v in value.params.items()}}
    return str(value)


def _param_render(value: Any) -> Any:
    if isinstance(value, dict):
        if "m" in value:
            return text_render(value)
        if "datetime" in value:
            moment = dt.datetime.fromisoformat(value["datetime"])
            if value.get("tz"):
                moment = timezone.localtime(moment, zoneinfo.ZoneInfo(value["tz"]))
            return formats.date_format(moment, "DATETIME_FORMAT")
        if "date" in value:
            return formats.date_format(dt.date.fromisoformat(value["date"]), "DATE_FORMAT")
        if "list" in value:
            return ", ".join(str(_param_render(v)) for v in value["list"])
        return ""
    return value


def text_render(part: Part) -> str:
    """``part`` in the active language; a stored string is shown as it was written."""
    if isinstance(part, str):
        return part
    message = gettext(part.get("m", ""))
    params = {k: _param_render(v) for k, v in (part.get("p") or {}).items()}
    if not params:
        return message
    for template in (message, part.get("m", "")):
        try:
            return template % params
        except (KeyError, TypeError, ValueError):
            # A translation that lost a placeholder must not break the inbox.
            continue
    return message


def texts_render(parts: Sequence[Part]) -> str:
    """Lines of text, each rendered in the active language."""
    return "\n".join(text_render(p) for p in parts)


__all__ = ["Part", "Text", "text_lazy", "text_render", "text_store", "texts_render"]
