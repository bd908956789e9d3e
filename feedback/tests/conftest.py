"""Fixtures of the feedback tests."""

import pytest

from accounts.models import Department
from contacts.models import IdentityKind
from contacts.tests.factories import CustomerFactory, IdentityFactory, OrderFactory


@pytest.fixture
def eager_celery(settings) -> None:
    """Run Celery tasks in-process; Celery reads its CELERY_* settings from Django's live."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from cxcenter.celery import app

    assert app.conf.task_always_eager is True


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def customer(db: None):
    c = CustomerFactory(name="Sanne de Vries", language="nl")
    IdentityFactory(customer=c, kind=IdentityKind.EMAIL, value="sanne@example.nl")
    return c


@pytest.fixture
def delivered_order(customer):
    from django.utils import timezone

    return OrderFactory(customer=customer, delivered_at=timezone.now())


@pytest.fixture
def kcc(contact_center: Department) -> Department:
    return contact_center
