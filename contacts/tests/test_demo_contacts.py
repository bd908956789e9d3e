"""Demo customers: realistic, quick, and loaded only once.

The demo is loaded once for the module (``demo_data``); each test sees it fresh."""

from io import StringIO

import pytest

from contacts import demo
from contacts.models import (
    Customer,
    DuplicateCandidate,
    DuplicateStatus,
    Identity,
    Interaction,
    Order,
    ProfileFact,
    ProfileQuestion,
)

pytestmark = pytest.mark.django_db

MODELS = (Customer, Identity, Interaction, Order, ProfileFact, ProfileQuestion, DuplicateCandidate)


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_the_demo_creates_customers_with_a_history(demo_data: str) -> None:
    counts = _counts()
    assert counts["Customer"] >= 300
    assert counts["Interaction"] >= 3 * 300
    assert counts["Order"] > 0
    assert counts["ProfileFact"] > 0
    assert Identity.objects.filter(value__endswith="@demo.cxcenter.nl").exists()
    assert Identity.objects.filter(value__startswith="+316").exists()
    first = Customer.objects.order_by("pk").first()
    latest = Interaction.objects.filter(customer=first).latest("occurred_at")
    assert latest.customer.last_interaction_at == latest.occurred_at


def test_the_demo_leaves_two_duplicate_pairs_to_review(demo_data: str) -> None:
    assert DuplicateCandidate.objects.filter(status=DuplicateStatus.OPEN).count() == 2


def test_children_ages_are_asked_after_the_number_of_children(demo_data: str) -> None:
    ages = ProfileQuestion.objects.get(key="children_ages")
    assert ages.ask_after is not None
    assert ages.ask_after.key == "children"
    assert ages.label_nl and ages.label_en


def test_loading_twice_changes_nothing(demo_data: str) -> None:
    before = _counts()
    out = StringIO()
    demo.load(out=out)
    assert _counts() == before
    assert "already" in out.getvalue()


def test_the_demo_command_loads_the_customers(demo_data: str) -> None:
    assert Customer.objects.count() >= 300
