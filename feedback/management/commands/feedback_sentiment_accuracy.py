"""``manage.py feedback_sentiment_accuracy``: the text classifier against the labelled sample."""

from typing import Any

from django.core.management.base import BaseCommand

from feedback.sentiment_sample import SAMPLE, sample_accuracy


class Command(BaseCommand):
    help = "Print the sentiment classifier's accuracy on the labelled Dutch/English sample."

    def handle(self, *args: Any, **options: Any) -> None:
        accuracy, misses = sample_accuracy()
        self.stdout.write(f"sentences: {len(SAMPLE)}  accuracy: {accuracy:.1%}")
        for text, expected, got in misses:
            self.stdout.write(f"  miss: {text!r} expected {expected}, got {got}")
