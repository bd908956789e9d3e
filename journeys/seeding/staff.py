"""The departments, seeded agents and SLA policies the generated cases are routed to."""

import datetime as dt
from dataclasses import dataclass

from accounts.models import Department, OpeningHours, StaffingSlot, User
from accounts.roles import Role
from accounts.services import role_assign, roles_ensure
from journeys.caches import routing_config_invalidate
from journeys.models import (
    Priority,
    SlaPolicy,
)

DEPARTMENTS = (
    ("Klantcontactcentrum", Department.CONTACT_CENTER, "kcc@example.com"),
    ("Marketing", Department.MARKETING, "marketing@example.com"),
    ("Sales", Department.SALES, "sales@example.com"),
    ("ICT", Department.ICT, "ict@example.com"),
    ("Operations", Department.OPERATIONS, "operations@example.com"),
)
AGENTS_PER_DEPARTMENT = {Department.CONTACT_CENTER: 20}
DEFAULT_AGENTS = 5
SEED_USER_PREFIX = "seed-"


@dataclass
class Staff:
    """Departments, their seeded agents and the SLA policies cases get."""

    departments: dict[str, Department]
    agents: dict[str, list[int]]
    policies: dict[str, SlaPolicy]
    exception_policy: SlaPolicy


def departments_ensure() -> dict[str, Department]:
    """The routing departments, and the contact center's hours and staffing when it has none
    (the forecast compares against staffed capacity)."""
    departments = {}
    for name, code, email in DEPARTMENTS:
        departments[code], _ = Department.objects.get_or_create(
            code=code, defaults={"name": name, "email": email}
        )
    kcc = departments[Department.CONTACT_CENTER]
    if not OpeningHours.objects.filter(department=kcc).exists():
        OpeningHours.objects.bulk_create(
            OpeningHours(
                department=kcc,
                weekday=day,
                opens=dt.time(8 if day < 5 else 9),
                closes=dt.time(20 if day < 5 else 17),
            )
            for day in range(6)
        )
        # bulk_create sends no post_save (journeys.caches).
        routing_config_invalidate()
    if not StaffingSlot.objects.filter(department=kcc).exists():
        StaffingSlot.objects.bulk_create(
            StaffingSlot(department=kcc, weekday=day, hour=hour, agents=12 if 9 <= hour < 17 else 6)
            for day in range(5)
            for hour in range(8, 20)
        )
    return departments


def staff_ensure() -> Staff:
    """Seeded agents per department (no usable password) and the SLA policies."""
    roles_ensure()
    departments = departments_ensure()
    agents: dict[str, list[int]] = {}
    for code, department in departments.items():
        ids = []
        for n in range(1, AGENTS_PER_DEPARTMENT.get(code, DEFAULT_AGENTS) + 1):
            user, created = User.objects.get_or_create(
                username=f"{SEED_USER_PREFIX}{code}-{n}",
                defaults={"department": department, "first_name": "Seed", "last_name": str(n)},
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
                role_assign(user=user, role=Role.AGENT)
            ids.append(user.pk)
        agents[code] = ids
    minutes = {
        Priority.URGENT: (60, 240),
        Priority.HIGH: (240, 1440),
        Priority.NORMAL: (480, 2880),
        Priority.LOW: (1440, 4320),
    }
    policies = {}
    for priority, (first, resolution) in minutes.items():
        policy = SlaPolicy.objects.filter(priority=priority, is_default=True).first()
        if policy is None:
            policy, _ = SlaPolicy.objects.get_or_create(
                name=f"Seed {priority}",
                defaults={
                    "priority": priority,
                    "first_response_minutes": first,
                    "next_response_minutes": first,
                    "resolution_minutes": resolution,
                },
            )
        policies[priority.value] = policy
    exception_policy, _ = SlaPolicy.objects.get_or_create(
        name="Exception queue",
        defaults={
            "first_response_minutes": 120,
            "next_response_minutes": 120,
            "resolution_minutes": 480,
        },
    )
    return Staff(
        departments=departments,
        agents=agents,
        policies=policies,
        exception_policy=exception_policy,
    )
