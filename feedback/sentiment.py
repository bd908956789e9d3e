"""Sentiment of a survey answer: a small Dutch and English word-list classifier, combined
with the score. Replace the text classifier with ``FEEDBACK_SENTIMENT_CLASSIFIER`` (a dotted
path to a function ``(text: str) -> float`` returning −1…1)."""

import re
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from .models import UNHAPPY_AT_OR_BELOW, Sentiment

POSITIVE = frozenset(
    [
        "goed",
        "goede",
        "prima",
        "top",
        "super",
        "snel",
        "snelle",
        "vriendelijk",
        "vriendelijke",
        "tevreden",
        "blij",
        "uitstekend",
        "uitstekende",
        "perfect",
        "perfecte",
        "fijn",
        "fijne",
        "handig",
        "netjes",
        "keurig",
        "mooi",
        "mooie",
        "aanrader",
        "geweldig",
        "geweldige",
        "fantastisch",
        "heerlijk",
        "correct",
        "behulpzaam",
        "duidelijk",
        "duidelijke",
        "bedankt",
        "dank",
        "compliment",
        "complimenten",
        "lekker",
        "zeker",
        "good",
        "great",
        "excellent",
        "fast",
        "quick",
        "friendly",
        "happy",
        "satisfied",
        "perfect",
        "nice",
        "helpful",
        "love",
        "loved",
        "awesome",
        "amazing",
        "fantastic",
        "smooth",
        "easy",
        "recommend",
        "recommended",
        "thanks",
        "pleased",
        "wonderful",
        "quality",
        "clear",
        "polite",
    ]
)
NEGATIVE = frozenset(
    [
        "slecht",
        "slechte",
        "traag",
        "trage",
        "laat",
        "kapot",
        "beschadigd",
        "beschadigde",
        "boos",
        "teleurgesteld",
        "teleurstellend",
        "ontevreden",
        "nooit",
        "fout",
        "verkeerd",
        "verkeerde",
        "waardeloos",
        "waardeloze",
        "onvriendelijk",
        "onvriendelijke",
        "klacht",
        "probleem",
        "problemen",
        "vies",
        "lang",
        "langzaam",
        "duur",
        "nergens",
        "rommel",
        "jammer",
        "zonde",
        "matig",
        "matige",
        "gebrekkig",
        "irritant",
        "onbeleefd",
        "bad",
        "poor",
        "slow",
        "late",
        "broken",
        "damaged",
        "angry",
        "disappointed",
        "disappointing",
        "unhappy",
        "never",
        "wrong",
        "worst",
        "terrible",
        "awful",
        "rude",
        "problem",
        "problems",
        "missing",
        "lost",
        "useless",
        "expensive",
        "complaint",
        "refund",
        "annoying",
        "horrible",
    ]
)
NEGATORS = frozenset(
    [
        "niet",
        "geen",
        "nooit",
        "not",
        "no",
        "never",
        "nothing",
        "niets",
        "isn't",
        "wasn't",
        "don't",
        "didn't",
    ]
)
_WORD = re.compile(r"[a-zà-ÿ']+")


def lexicon_classify(text: str) -> float:
    """Polarity of ``text`` in −1…1: positive minus negative words, a negator just before a
    word flipping it ("niet goed", "not bad")."""
    words = _WORD.findall(text.lower())
    total = 0
    hits = 0
    for i, word in enumerate(words):
        polarity = 1 if word in POSITIVE else -1 if word in NEGATIVE else 0
        if not polarity:
            continue
        window = words[max(0, i - 2) : i]
        if any(w in NEGATORS for w in window) and word not in NEGATORS:
            polarity = -polarity
        total += polarity
        hits += 1
    if not hits:
        return 0.0
    return max(-1.0, min(1.0, total / hits))


@cache
def _text_classifier() -> Callable[[str], float]:
    path = getattr(settings, "FEEDBACK_SENTIMENT_CLASSIFIER", None)
    return import_string(path) if path else lexicon_classify


def text_polarity(text: str) -> float:
    return _text_classifier()(text) if text.strip() else 0.0


def text_label(text: str) -> str:
    polarity = text_polarity(text)
    if polarity > 0.2:
        return Sentiment.POSITIVE
    if polarity < -0.2:
        return Sentiment.NEGATIVE
    return Sentiment.NEUTRAL


def score_polarity(*, kind: str, score: int) -> float:
    """−1 for an unhappy score, +1 for a happy one (top of the scale), 0 in between."""
    if score <= UNHAPPY_AT_OR_BELOW[kind]:
        return -1.0
    happy_from = {"nps": 9, "csat": 4, "grade": 8}[kind]
    return 1.0 if score >= happy_from else 0.0


def sentiment_label(*, kind: str, score: int, comment: str) -> str:
    """The label of an answer: the comment's words count as much as the score, so a 9 with
    "levering was veel te laat" comes out neutral rather than positive."""
    combined = score_polarity(kind=kind, score=score) + text_polarity(comment)
    if combined > 0.4:
        return Sentiment.POSITIVE
    if combined < -0.4:
        return Sentiment.NEGATIVE
    return Sentiment.NEUTRAL
