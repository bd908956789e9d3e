"""Demo feedback loads on top of the demo customers and can be loaded again."""

import io

import pytest

from feedback import demo
from feedback.models import DailyRollup, Invitation, Response, Survey

pytestmark = pytest.mark.django_db


def test_demo_loads_once(demo_data: str) -> None:
    counts = (Survey.objects.count(), Invitation.objects.count(), Response.objects.count())
    assert counts[0] == 1 and counts[1] > 0 and counts[2] > 0
    assert Survey.objects.get().is_active
    assert DailyRollup.objects.exists()
    out = io.StringIO()
    demo.load(out=out)
    assert (Survey.objects.count(), Invitation.objects.count(), Response.objects.count()) == counts
    assert "already" in out.getvalue()
