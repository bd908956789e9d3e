"""``manage.py seed``: the cases and campaigns part."""

from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F
from django.utils import timezone

from accounts.models import Department, User
from contacts.models import Customer, Direction, Interaction
from journeys.models import (
    OPEN_Q,
    Campaign,
    CampaignStatus,
    Case,
    CaseMessage,
    CaseStatus,
    Escalation,
    Segment,
    SubTask,
    Transfer,
)
from journeys.services.cases import case_take_next

pytestmark = pytest.mark.django_db


def seed(**options: object) -> str:
    out = StringIO()
    options.setdefault("responses_per_customer", 0)
    call_command("seed", stdout=out, **options)
    return out.getvalue()


def case_fingerprint() -> list[tuple]:
    return list(
        Case.objects.order_by("id").values_list(
            "subject", "status", "priority", "department__code", "is_exception", "transfer_count"
        )
    )


def test_seed_creates_cases_in_every_state_from_inbound_contact_moments() -> None:
    output = seed(customers=80, seed=6, cases_per_customer=3)

    statuses = set(Case.objects.values_list("status", flat=True))
    assert statuses == set(CaseStatus.values)
    assert Case.objects.filter(is_exception=True, status=CaseStatus.NEW, owner=None).exists()
    assert Case.objects.filter(OPEN_Q, owner=None, is_exception=False).exists()
    # Every case starts from an inbound contact moment of its own customer, its first message.
    assert not Case.objects.exclude(origin__customer=F("customer")).exists()
    assert not Case.objects.exclude(origin__direction=Direction.INBOUND).exists()
    assert CaseMessage.objects.filter(interaction=F("case__origin")).count() == Case.objects.count()
    assert "\ncases" in output and "\ntransfers" in output


def test_seeded_cases_are_consistent() -> None:
    seed(customers=80, seed=4, cases_per_customer=3)

    assert not Case.objects.filter(resolution_due__isnull=True).exists()
    assert not Case.objects.filter(resolution_due__lt=F("created_at")).exists()
    assert not Case.objects.exclude(status=CaseStatus.NEW).filter(owner=None).exists()
    assert not Case.objects.exclude(status=CaseStatus.NEW).filter(first_responded_at=None).exists()
    done = Case.objects.filter(status__in=[CaseStatus.RESOLVED, CaseStatus.CLOSED])
    assert not done.filter(resolved_at=None).exists()
    assert not Case.objects.filter(OPEN_Q, resolved_at__isnull=False).exists()
    assert not Case.objects.filter(status=CaseStatus.CLOSED, closed_at=None).exists()
    assert not Case.objects.filter(status=CaseStatus.WAITING_CUSTOMER, sla_paused_at=None).exists()
    waiting = Case.objects.filter(status=CaseStatus.WAITING_DEPARTMENT)
    assert waiting.count() == SubTask.objects.filter(case__in=waiting, status="open").count()
    assert not SubTask.objects.filter(department=F("case__department")).exists()
    # Owners are agents of the owning department.
    assert not Case.objects.exclude(owner=None).exclude(owner__department=F("department")).exists()


def test_seeded_transfers_end_in_the_owning_department() -> None:
    seed(customers=80, seed=4, cases_per_customer=3)

    counted = Case.objects.annotate(n=Count("transfers")).exclude(n=F("transfer_count"))
    assert not counted.exists()
    transferred = Case.objects.filter(transfer_count__gt=0)
    assert transferred.exists()
    for case in transferred:
        hops = list(case.transfers.order_by("at", "id"))
        assert hops[-1].to_department_id == case.department_id
        for before, after in pairwise(hops):
            assert before.to_department_id == after.from_department_id
            assert before.at <= after.at
    assert not Transfer.objects.filter(from_department=F("to_department")).exists()


def test_overdue_open_cases_are_escalated_once() -> None:
    seed(customers=80, seed=4, cases_per_customer=3)

    overdue = Case.objects.filter(OPEN_Q, resolution_due__lt=timezone.now())
    assert overdue.exists()
    escalated = Escalation.objects.filter(kind="resolution", due_at=F("case__resolution_due"))
    assert set(escalated.values_list("case_id", flat=True)) == set(
        overdue.values_list("id", flat=True)
    )
    assert not Case.objects.exclude(OPEN_Q).filter(escalations__kind="resolution").exists()


def test_an_agent_can_take_the_next_seeded_case_from_the_queue() -> None:
    seed(customers=80, seed=4, cases_per_customer=3)
    department = Department.objects.get(code=Department.CONTACT_CENTER)
    agent = User.objects.filter(department=department, username__startswith="seed-").first()
    assert agent is not None
    queued = Case.objects.filter(OPEN_Q, department=department, owner=None).count()
    assert queued > 0

    case = case_take_next(user=agent, department=department)

    assert case is not None
    assert case.owner == agent
    assert Case.objects.filter(OPEN_Q, department=department, owner=None).count() == queued - 1


def test_the_same_seed_gives_the_same_cases() -> None:
    seed(customers=40, seed=8, batch=20)
    first = case_fingerprint()
    Customer.objects.all().delete()
    Case.objects.all().delete()

    seed(customers=40, seed=8, batch=20)

    assert first
    assert case_fingerprint() == first


def test_no_cases_when_asked_for_none() -> None:
    seed(customers=20, seed=1, cases_per_customer=0)

    assert Customer.objects.count() == 20
    assert not Case.objects.exists()


def test_campaigns_with_segments_are_created_once() -> None:
    seed(customers=60, seed=2)
    seed(customers=10, seed=3)

    assert Campaign.objects.count() == 4
    assert set(Campaign.objects.values_list("status", flat=True)) == {
        CampaignStatus.FINISHED,
        CampaignStatus.LIVE,
        CampaignStatus.SCHEDULED,
        CampaignStatus.DRAFT,
    }
    assert not Campaign.objects.filter(segment=None).exists()
    assert Segment.objects.count() == 3
    planned = Campaign.objects.exclude(status=CampaignStatus.DRAFT)
    for campaign in planned:
        assert campaign.audience_total is not None and campaign.audience_count is not None
        assert 0 < campaign.audience_count <= campaign.audience_total
    # The seeded contact moments carry the campaigns' codes.
    codes = set(Campaign.objects.values_list("code", flat=True))
    assert Interaction.objects.filter(campaign_code__in=codes).exists()


def test_a_second_run_adds_cases_only_for_its_own_customers() -> None:
    seed(customers=30, seed=5)
    first_ids = set(Customer.objects.values_list("id", flat=True))
    before = Case.objects.count()

    seed(customers=30, seed=6)

    assert Case.objects.filter(customer_id__in=first_ids).count() == before
    assert Case.objects.exclude(customer_id__in=first_ids).exists()


def test_apps_option_seeds_cases_for_the_newest_existing_customers() -> None:
    seed(customers=30, seed=5, cases_per_customer=0)
    newest = list(Customer.objects.order_by("-id").values_list("id", flat=True)[:10])

    seed(customers=10, seed=5, cases_per_customer=2, apps=["journeys"])

    assert Customer.objects.count() == 30
    assert set(Case.objects.values_list("customer_id", flat=True)) <= set(newest)
    assert Case.objects.exists()
    # An inbound contact moment is the origin of one case at most, also after a rerun.
    seed(customers=10, seed=5, cases_per_customer=2, apps=["journeys"])
    origins = list(Case.objects.values_list("origin_id", flat=True))
    assert len(origins) == len(set(origins))


def test_apps_option_refuses_an_unknown_app() -> None:
    with pytest.raises(CommandError, match="nosuchapp"):
        seed(customers=5, apps=["nosuchapp"])

    assert not Customer.objects.exists()
