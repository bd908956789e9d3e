"""Accounts and targets for the load test (bench/locustfile.py): agents with a password,
an integration token, and samples of customers, names and cases to visit. Written to
var/loadtest.json; run through ``make loadtest``."""

import json
import os
import random
from pathlib import Path

from django.conf import settings
from django.db.models import Exists, OuterRef

from accounts.models import Department, User
from accounts.roles import Role
from accounts.services import api_token_create, role_assign, roles_ensure
from contacts.models import Channel, Consent, ConsentStatus, Customer
from journeys.models import OPEN_STATUSES, Case

SAMPLE = 2000


def loadtest_prepare(*, agents: int = 200, out: Path | None = None) -> Path:
    """Create (once) ``agents`` agent accounts and an integration, and write the targets."""
    password = os.environ.get("LOADTEST_PASSWORD", "loadtest-password-not-for-production")
    roles_ensure()
    department, _ = Department.objects.get_or_create(
        code=Department.CONTACT_CENTER, defaults={"name": "Klantcontactcentrum"}
    )
    names = []
    for n in range(agents):
        username = f"loadtest-agent-{n}"
        user, created = User.objects.get_or_create(
            username=username, defaults={"department": department}
        )
        if created:
            user.set_password(password)
            user.save()
            role_assign(user=user, role=Role.AGENT)
        names.append(username)
    integration, created = User.objects.get_or_create(username="loadtest-integration")
    if created:
        role_assign(user=integration, role=Role.INTEGRATION)
    _token, key = api_token_create(user=integration, name="load test")
    top = Customer.objects.order_by("-id").values_list("id", flat=True).first() or 0
    rng = random.Random(7)
    customer_ids = [rng.randint(1, top) for _ in range(SAMPLE)] if top else []
    customers = list(
        Customer.objects.filter(id__in=customer_ids, erased_at__isnull=True).values_list(
            "id", "name"
        )
    )
    case_top = Case.objects.order_by("-id").values_list("id", flat=True).first() or 0
    cases = (
        list(
            Case.objects.filter(
                id__in=[rng.randint(1, case_top) for _ in range(SAMPLE)], department=department
            ).values_list("id", flat=True)
        )
        if case_top
        else []
    )
    # Agents reply on open cases (a closed one refuses a reply), by e-mail: every customer
    # has an address, not every one a number for the case's channel; those who opted out of
    # e-mail are refused a reply by e-mail, so they are left out.
    open_cases = list(
        Case.objects.filter(department=department, status__in=OPEN_STATUSES)
        .exclude(
            Exists(
                Consent.objects.filter(
                    customer=OuterRef("customer"),
                    channel=Channel.EMAIL,
                    status=ConsentStatus.OPT_OUT,
                )
            )
        )
        .order_by("-id")
        .values_list("id", flat=True)[:SAMPLE]
    )
    target = out or settings.VAR_DIR / "loadtest.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        json.dumps(
            {
                "agents": names,
                "password": password,
                "token": key,
                "customers": [pk for pk, _ in customers],
                "names": [name.split()[-1] for _, name in customers if name.split()],
                "cases": cases,
                "open_cases": open_cases,
            }
        )
    )
    return target
