"""New text versus quoted history in a reply: the attribution lines of Gmail ("On … wrote:"),
Apple Mail ("Op … schreef …:"), Outlook's header blocks ("Van:/Verzonden:", "From:/Sent:"),
``>`` quotes and a ``-- `` signature start the part that is folded away (but kept)."""

import re
from dataclasses import dataclass

# An attribution may be wrapped over two lines by the mail program; lines are joined first.
_ATTRIBUTION = re.compile(
    r"^\s*(?:"
    r"On\s.{4,200}\swrote:"  # Gmail, Apple Mail, Thunderbird (English)
    r"|Op\s.{4,200}\s(?:schreef|heeft|het volgende geschreven)[^:]{0,60}:"  # Dutch
    r"|Am\s.{4,200}\sschrieb[^:]{0,60}:"  # German
    r"|Le\s.{4,200}\sa écrit\s?:"  # French
    r")\s*$",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(
    r"^\s*(?:-{2,}\s*(?:Original Message|Oorspronkelijk bericht|Origineel bericht"
    r"|Forwarded message|Doorgestuurd bericht)\s*-{2,}|_{10,})\s*$",
    re.IGNORECASE,
)
_OUTLOOK_FROM = re.compile(r"^\s*\*?(?:From|Van|Von|De)\s*:\*?\s", re.IGNORECASE)
_OUTLOOK_NEXT = re.compile(
    r"^\s*\*?(?:Sent|Verzonden|Date|Datum|Gesendet|Envoyé|To|Aan|Subject|Onderwerp)\s*:\*?",
    re.IGNORECASE,
)
_SIGNATURE = "-- "


@dataclass(frozen=True)
class SplitText:
    new: str
    quoted: str


def _quote_start(lines: list[str]) -> int | None:
    for index, line in enumerate(lines):
        if line == _SIGNATURE or (line.rstrip() == "--" and index > 0):
            return index
        if _SEPARATOR.match(line):
            return index
        joined = line if index + 1 >= len(lines) else f"{line} {lines[index + 1].strip()}"
        if _ATTRIBUTION.match(line) or (
            line.strip() and _ATTRIBUTION.match(joined) and not _ATTRIBUTION.match(lines[index + 1])
        ):
            return index
        if _OUTLOOK_FROM.match(line):
            following = [n for n in lines[index + 1 : index + 5] if n.strip()]
            if sum(1 for n in following if _OUTLOOK_NEXT.match(n)) >= 2:
                return index
        if line.startswith(">") and all(
            not rest.strip() or rest.startswith(">") for rest in lines[index:]
        ):
            return index
    return None


def quote_split(text: str) -> SplitText:
    """The reply's own text and the history below it. A message that is nothing but quote
    (a bare forward) keeps all of it as new text, so an agent never gets an empty message."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start = _quote_start(lines)
    if start is None:
        return SplitText(new=text.strip(), quoted="")
    new = "\n".join(lines[:start]).strip()
    quoted = "\n".join(lines[start:]).strip()
    if not new:
        return SplitText(new=text.strip(), quoted="")
    return SplitText(new=new, quoted=quoted)
