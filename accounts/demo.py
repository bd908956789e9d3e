"""Demo departments, opening hours, holidays, staffing and one user per role."""

import datetime as dt
from typing import TextIO

from django.db import transaction

from .models import Department, Holiday, OpeningHours, StaffingSlot, User, Weekday
from .roles import Role
from .services import api_token_create, role_assign, roles_ensure

DEPARTMENTS = [
    (Department.CONTACT_CENTER, "Klantcontactcentrum", "kcc@example.com"),
    (Department.MARKETING, "Marketing", "marketing@example.com"),
    (Department.SALES, "Sales", "sales@example.com"),
    (Department.ICT, "ICT", "ict@example.com"),
    (Department.OPERATIONS, "Operations", "operations@example.com"),
    (Department.MANAGEMENT, "Management", "management@example.com"),
]

# user name, first, last, department, role, password (demo only: documented in README)
USERS = [
    ("agent", "Anna", "de Vries", Department.CONTACT_CENTER, Role.AGENT, "demo-agent-password"),
    ("lead", "Lars", "Jansen", Department.CONTACT_CENTER, Role.MANAGER, "demo-lead-password"),
    ("sales", "Sanne", "Bakker", Department.SALES, Role.MEMBER, "demo-sales-password"),
    ("marketer", "Mila", "Visser", Department.MARKETING, Role.MARKETER, "demo-marketer-password"),
    ("manager", "Mark", "Smit", Department.MANAGEMENT, Role.MANAGER, "demo-manager-password"),
    ("admin", "Ada", "Mulder", Department.ICT, Role.ADMIN, "demo-admin-password"),
]

DUTCH_HOLIDAYS = [
    (dt.date(2026, 12, 25), "Eerste Kerstdag"),
    (dt.date(2026, 12, 26), "Tweede Kerstdag"),
    (dt.date(2027, 1, 1), "Nieuwjaarsdag"),
    (dt.date(2027, 3, 29), "Tweede Paasdag"),
    (dt.date(2027, 4, 27), "Koningsdag"),
    (dt.date(2027, 5, 5), "Bevrijdingsdag"),
    (dt.date(2027, 5, 6), "Hemelvaartsdag"),
    (dt.date(2027, 5, 17), "Tweede Pinksterdag"),
]


def _hours(department: Department, ranges: dict[Weekday, list[tuple[int, int]]]) -> None:
    for day, spans in ranges.items():
        for opens, closes in spans:
            OpeningHours.objects.get_or_create(
                department=department,
                weekday=day,
                opens=dt.time(opens),
                defaults={"closes": dt.time(closes)},
            )


@transaction.atomic
def load(*, out: TextIO) -> None:
    roles_ensure()
    departments = {}
    for code, name, email in DEPARTMENTS:
        departments[code], _ = Department.objects.get_or_create(
            code=code, defaults={"name": name, "email": email}
        )
    weekdays = [
        Weekday.MONDAY,
        Weekday.TUESDAY,
        Weekday.WEDNESDAY,
        Weekday.THURSDAY,
        Weekday.FRIDAY,
    ]
    kcc = departments[Department.CONTACT_CENTER]
    _hours(kcc, {day: [(8, 12), (12, 20)] for day in weekdays} | {Weekday.SATURDAY: [(9, 17)]})
    for code in (Department.SALES, Department.ICT, Department.OPERATIONS, Department.MARKETING):
        _hours(departments[code], {day: [(9, 17)] for day in weekdays})
    for department in departments.values():
        for date, name in DUTCH_HOLIDAYS:
            Holiday.objects.get_or_create(department=department, date=date, defaults={"name": name})
    if not StaffingSlot.objects.filter(department=kcc).exists():
        slots = []
        for day in weekdays:
            for hour in range(8, 20):
                agents = 12 if 9 <= hour < 17 else 6
                slots.append(StaffingSlot(department=kcc, weekday=day, hour=hour, agents=agents))
        slots += [
            StaffingSlot(department=kcc, weekday=Weekday.SATURDAY, hour=hour, agents=4)
            for hour in range(9, 17)
        ]
        StaffingSlot.objects.bulk_create(slots)

    out.write("Demo users (change these passwords outside a demo):\n")
    for username, first, last, code, role, password in USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@example.com",
                "department": departments[code],
                "is_staff": role == Role.ADMIN,
                "is_superuser": role == Role.ADMIN,
            },
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        role_assign(user=user, role=role)
        out.write(f"  {username:<10} {password:<24} {role.value}\n")

    webshop, created = User.objects.get_or_create(
        username="webshop",
        defaults={"first_name": "Web shop", "last_name": "(integration)"},
    )
    if created:
        webshop.set_unusable_password()
        webshop.save(update_fields=["password"])
    role_assign(user=webshop, role=Role.INTEGRATION)
    # Only a hash is stored, so the key can be shown only when it is made.
    if not webshop.api_tokens.exists():
        _token, key = api_token_create(user=webshop, name="Demo web shop")
        out.write(f"API token of the 'webshop' integration: {key}\n")
    else:
        out.write(
            "The 'webshop' integration has an API token already; make a new one with "
            "`manage.py api_token_create webshop`.\n"
        )
