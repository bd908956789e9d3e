"""Demo feedback: every outcome figure has a value on the demo data."""

import io

import pytest

from feedback import demo
from feedback.models import Response

pytestmark = pytest.mark.django_db


def test_demo_makes_every_outcome_figure_non_trivial(agent, contact_center) -> None:
    """On the demo data each figure (but the one not tracked yet) has a value, and the
    answers have departments for the dashboard's breakdown."""
    from django.utils import timezone

    from accounts.models import Department
    from accounts.roles import Role
    from accounts.tests.factories import DepartmentFactory, UserFactory
    from contacts import demo as contacts_demo
    from feedback.outcomes import outcomes_get, outcomes_period
    from journeys import demo as journeys_demo

    for code in (Department.SALES, Department.ICT, Department.OPERATIONS, Department.MARKETING):
        DepartmentFactory(code=code, name=code.title())
    management = DepartmentFactory(code=Department.MANAGEMENT, name="Directie")
    director = UserFactory(username="director", department=management, roles=[Role.MANAGER])
    contacts_demo.load(out=io.StringIO())
    journeys_demo.load(out=io.StringIO())
    demo.load(out=io.StringIO())
    date_from, date_to = outcomes_period(today=timezone.localdate(), weeks=16)
    board = outcomes_get(user=director, date_from=date_from, date_to=date_to)
    values = {f.key: f.value for f in board.figures}
    assert values["unwarned_campaigns"] == "0"
    empty = [k for k, v in values.items() if k != "unwarned_campaigns" and v in ("–", "0")]
    assert empty == []
    for figure in board.figures:
        if figure.key != "unwarned_campaigns":
            assert sum(bar.value is not None and bar.value > 0 for bar in figure.chart.bars) >= 3, (
                figure.key
            )
    assert Response.objects.filter(department__isnull=False).exists()
