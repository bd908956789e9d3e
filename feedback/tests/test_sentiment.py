"""The word-list sentiment classifier, and its accuracy on the labelled sample."""

import io

from django.core.management import call_command

from feedback.sentiment import sentiment_label, text_label
from feedback.sentiment_sample import SAMPLE, sample_accuracy


def test_sample_is_big_enough_and_covers_both_languages() -> None:
    assert len(SAMPLE) >= 40
    assert {label for _text, label in SAMPLE} == {"positive", "neutral", "negative"}


def test_accuracy_on_the_sample_is_at_least_85_percent() -> None:
    accuracy, _misses = sample_accuracy()
    assert accuracy >= 0.85


def test_negation_flips_a_word() -> None:
    assert text_label("Niet goed geholpen") == "negative"
    assert text_label("not bad at all") == "positive"


def test_score_and_words_are_combined() -> None:
    assert sentiment_label(kind="nps", score=9, comment="") == "positive"
    assert (
        sentiment_label(kind="nps", score=9, comment="levering was te laat en kapot") == "neutral"
    )
    assert sentiment_label(kind="csat", score=1, comment="") == "negative"
    assert sentiment_label(kind="grade", score=7, comment="") == "neutral"


def test_command_prints_the_accuracy() -> None:
    out = io.StringIO()
    call_command("feedback_sentiment_accuracy", stdout=out)
    assert "accuracy:" in out.getvalue()
