"""Notifications: sending (inbox and e-mail after commit), the bell, the inbox and marking read."""

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import selectors, services
from accounts.models import Department, Notification, User
from accounts.roles import Role
from accounts.tests.factories import NotificationFactory, UserFactory

INBOX = reverse("accounts:notifications")
BELL = reverse("accounts:bell")
READ = reverse("accounts:notification_read")


@pytest.fixture
def eager_celery(settings) -> None:
    """Run Celery tasks in-process; Celery reads its CELERY_* settings from Django's live."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from cxcenter.celery import app

    assert app.conf.task_always_eager is True


# --- Sending -----------------------------------------------------------------------


def test_sending_creates_one_notification_per_active_recipient(
    agent: User, manager: User, db: None
) -> None:
    gone = UserFactory(username="gone", is_active=False)
    notes = services.notification_send(
        recipients=[agent, manager, gone], title="Case waiting", url="/cases/1/", email=False
    )
    assert len(notes) == 2
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {
        "agent",
        "manager",
    }
    assert set(Notification.objects.values_list("title", "url", "kind")) == {
        ("Case waiting", "/cases/1/", "general")
    }


def _email_tasks(callbacks: list) -> list:
    # The other callbacks bump the bell's version once the notification is visible.
    return [c for c in callbacks if "send_notification_emails" in repr(c)]


def test_e_mail_waits_for_the_commit(
    agent: User, django_capture_on_commit_callbacks, mailoutbox, eager_celery: None
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.notification_send(recipients=[agent], title="Case waiting")
    assert len(_email_tasks(callbacks)) == 1
    assert mailoutbox == []
    assert Notification.objects.filter(recipient=agent).count() == 1


def test_after_commit_one_e_mail_goes_to_each_address(
    agent: User,
    manager: User,
    django_capture_on_commit_callbacks,
    mailoutbox,
    eager_celery: None,
    settings,
) -> None:
    settings.SITE_URL = "https://cx.example.com"
    no_address = UserFactory(username="noaddress", email="")
    gone = UserFactory(username="gone", is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        services.notification_send(
            recipients=[agent, manager, no_address, gone],
            title="Case waiting",
            body="A customer called back.",
            url="/cases/1/",
        )

    assert sorted(tuple(m.to) for m in mailoutbox) == [
        ("agent@example.com",),
        ("manager@example.com",),
    ]
    message = mailoutbox[0]
    assert message.subject == "Case waiting"
    assert message.body == "A customer called back.\n\nhttps://cx.example.com/cases/1/"
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    # The user without an address still gets the in-app notification.
    assert Notification.objects.filter(recipient=no_address).count() == 1


def test_no_e_mail_is_queued_when_email_is_off_or_nobody_has_an_address(
    agent: User, django_capture_on_commit_callbacks, mailoutbox, eager_celery: None
) -> None:
    silent = UserFactory(username="silent", email="")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.notification_send(recipients=[agent], title="One", email=False)
        services.notification_send(recipients=[silent], title="Two")
    assert _email_tasks(callbacks) == []
    assert mail.outbox == []
    assert Notification.objects.count() == 2


def test_sending_to_a_role_reaches_only_that_role_in_that_department(
    agent: User,
    manager: User,
    member: User,
    sales: Department,
    contact_center: Department,
    django_capture_on_commit_callbacks,
    mailoutbox,
    eager_celery: None,
) -> None:
    second_agent = UserFactory(username="agent2", department=contact_center, roles=[Role.AGENT])
    UserFactory(username="agent3", department=contact_center, roles=[Role.AGENT], is_active=False)
    UserFactory(username="sales-agent", department=sales, roles=[Role.AGENT])
    # Two roles must not mean two notifications.
    both = UserFactory(username="both", department=contact_center, roles=[Role.AGENT, Role.MANAGER])

    with django_capture_on_commit_callbacks(execute=True):
        notes = services.notification_send_to_role(
            department=contact_center, role=Role.AGENT, title="New case"
        )

    assert sorted(n.recipient.username for n in notes) == sorted(
        [agent.username, second_agent.username, both.username]
    )
    assert Notification.objects.count() == 3
    assert sorted(m.to[0] for m in mailoutbox) == [
        "agent2@example.com",
        "agent@example.com",
        "both@example.com",
    ]


def test_purging_deletes_only_notifications_read_long_ago(agent: User) -> None:
    old = NotificationFactory(recipient=agent, read_at=timezone.now() - dt.timedelta(days=91))
    recent = NotificationFactory(recipient=agent, read_at=timezone.now())
    unread = NotificationFactory(recipient=agent)
    assert services.notification_purge_read(days=90) == 1
    assert set(Notification.objects.values_list("pk", flat=True)) == {recent.pk, unread.pk}
    assert not Notification.objects.filter(pk=old.pk).exists()


# --- The bell ------------------------------------------------------------------------


def test_the_bell_shows_the_unread_count(agent_client: Client, agent: User, manager: User) -> None:
    NotificationFactory.create_batch(3, recipient=agent)
    NotificationFactory(recipient=agent, read_at=timezone.now())
    NotificationFactory.create_batch(5, recipient=manager)

    response = agent_client.get(BELL)

    assert response.status_code == 200
    assert b'data-unread="3"' in response.content
    assert b"<html" not in response.content
    assert "no-cache" in response["Cache-Control"]


def test_the_bell_shows_no_badge_without_unread_notifications(
    agent_client: Client, agent: User
) -> None:
    NotificationFactory(recipient=agent, read_at=timezone.now())
    response = agent_client.get(BELL)
    assert response.status_code == 200
    assert b"badge" not in response.content


def test_the_bell_caps_a_flooded_inbox_at_99_plus(agent_client: Client, agent: User) -> None:
    Notification.objects.bulk_create(
        Notification(recipient=agent, title=f"n{i}") for i in range(120)
    )
    assert selectors.notification_unread_count(user=agent) == 100
    response = agent_client.get(BELL)
    assert b"99+" in response.content


# --- The inbox -----------------------------------------------------------------------


def test_the_inbox_lists_only_the_users_own_notifications(
    agent_client: Client, agent: User, manager: User
) -> None:
    NotificationFactory(recipient=agent, title="For the agent")
    NotificationFactory(recipient=manager, title="For the manager only")

    response = agent_client.get(INBOX)

    assert response.status_code == 200
    assert b"For the agent" in response.content
    assert b"For the manager only" not in response.content
    assert [n.recipient_id for n in response.context["items"]] == [agent.pk]


def test_an_empty_inbox_says_so(agent_client: Client) -> None:
    response = agent_client.get(INBOX)
    assert response.status_code == 200
    assert b"No notifications." in response.content
    assert response.context["next_before"] is None


def test_the_inbox_pages_back_with_before(agent_client: Client, agent: User) -> None:
    notes = [NotificationFactory(recipient=agent, title=f"Note {i:02d}") for i in range(25)]

    first = agent_client.get(INBOX)
    first_ids = [n.id for n in first.context["items"]]
    assert first_ids == [n.id for n in reversed(notes)][:20]
    assert first.context["next_before"] == first_ids[-1]
    assert f"?before={first_ids[-1]}".encode() in first.content

    older = agent_client.get(INBOX, {"before": first.context["next_before"]})
    assert [n.id for n in older.context["items"]] == [n.id for n in reversed(notes[:5])]
    assert older.context["next_before"] is None


def test_a_non_numeric_before_shows_the_newest(agent_client: Client, agent: User) -> None:
    NotificationFactory(recipient=agent)
    response = agent_client.get(INBOX, {"before": "abc"})
    assert response.status_code == 200
    assert len(response.context["items"]) == 1


def test_the_inbox_answers_htmx_with_only_the_rows(agent_client: Client, agent: User) -> None:
    NotificationFactory(recipient=agent, title="Row title")
    response = agent_client.get(INBOX, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b"Row title" in response.content
    assert b"<html" not in response.content
    assert "HX-Request" in response["Vary"]
    full = agent_client.get(INBOX)
    assert b"<html" in full.content
    assert "HX-Request" in full["Vary"]


# --- Marking read --------------------------------------------------------------------


def test_marking_one_notification_read_leaves_the_others(agent_client: Client, agent: User) -> None:
    one, other = NotificationFactory.create_batch(2, recipient=agent)
    response = agent_client.post(READ, {"id": one.pk})
    assert response.status_code == 302
    assert response["Location"] == INBOX
    one.refresh_from_db()
    other.refresh_from_db()
    assert one.read_at is not None
    assert other.read_at is None


def test_marking_without_an_id_marks_all_read(
    agent_client: Client, agent: User, manager: User
) -> None:
    NotificationFactory.create_batch(3, recipient=agent)
    theirs = NotificationFactory(recipient=manager)
    assert agent_client.post(READ).status_code == 302
    assert not Notification.objects.filter(recipient=agent, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_another_users_notification_changes_nothing(
    agent_client: Client, manager: User
) -> None:
    theirs = NotificationFactory(recipient=manager)
    response = agent_client.post(READ, {"id": theirs.pk})
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_again_keeps_the_first_read_time(agent: User) -> None:
    note = NotificationFactory(recipient=agent)
    assert services.notification_mark_read(user=agent, notification_id=note.pk) == 1
    note.refresh_from_db()
    first = note.read_at
    assert services.notification_mark_read(user=agent, notification_id=note.pk) == 0
    note.refresh_from_db()
    assert note.read_at == first


@pytest.mark.parametrize("raw", ["abc", "-1", "1.0", "1 OR 1=1"])
def test_a_non_numeric_id_is_rejected_with_400(agent_client: Client, agent: User, raw: str) -> None:
    note = NotificationFactory(recipient=agent)
    assert agent_client.post(READ, {"id": raw}).status_code == 400
    note.refresh_from_db()
    assert note.read_at is None


def test_marking_read_by_get_is_not_allowed(agent_client: Client, agent: User) -> None:
    note = NotificationFactory(recipient=agent)
    assert agent_client.get(READ, {"id": note.pk}).status_code == 405
    note.refresh_from_db()
    assert note.read_at is None


def test_marking_read_with_htmx_answers_with_the_new_bell(
    agent_client: Client, agent: User
) -> None:
    one, _two, _three = NotificationFactory.create_batch(3, recipient=agent)
    response = agent_client.post(READ, {"id": one.pk}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b'data-unread="2"' in response.content
    assert b"<html" not in response.content


def test_viewing_the_inbox_or_the_bell_marks_nothing_read(
    agent_client: Client, agent: User
) -> None:
    NotificationFactory.create_batch(2, recipient=agent)
    agent_client.get(INBOX)
    agent_client.get(BELL)
    assert Notification.objects.filter(read_at__isnull=True).count() == 2


# --- Query counts --------------------------------------------------------------------

# user, groups (navigation), the page of notifications; the session is in the cache.
INBOX_QUERIES = 3
# user, the unread ids, groups (the navigation context processor runs for the fragment too).
BELL_QUERIES = 3


@pytest.mark.parametrize("count", [1, 30])
def test_the_inbox_takes_the_same_number_of_queries_for_1_and_30(
    agent_client: Client, agent: User, django_assert_num_queries, count: int
) -> None:
    NotificationFactory.create_batch(count, recipient=agent)
    with django_assert_num_queries(INBOX_QUERIES):
        response = agent_client.get(INBOX)
    assert len(response.context["items"]) == min(count, 20)


@pytest.mark.parametrize("count", [1, 30])
def test_the_bell_takes_the_same_number_of_queries_for_1_and_30(
    agent_client: Client, agent: User, django_assert_num_queries, count: int
) -> None:
    NotificationFactory.create_batch(count, recipient=agent)
    with django_assert_num_queries(BELL_QUERIES):
        agent_client.get(BELL)


# --- Language of the reader ----------------------------------------------------------


def test_an_untranslated_title_is_rendered_in_the_active_language(agent: User) -> None:
    from django.utils import translation
    from django.utils.translation import gettext_noop

    from accounts.texts import Text

    (note,) = services.notification_send(
        recipients=[agent],
        title=Text(gettext_noop("Case %(number)s was assigned to you"), {"number": 7}),
        email=False,
    )
    note.refresh_from_db()
    assert (note.title, note.title_params) == ("Case %(number)s was assigned to you", {"number": 7})
    with translation.override("nl"):
        assert note.title_text == "Zaak 7 is aan je toegewezen"
    with translation.override("en"):
        assert note.title_text == "Case 7 was assigned to you"


def test_dates_in_a_notification_follow_the_readers_language(agent: User) -> None:
    import zoneinfo

    from django.utils import translation
    from django.utils.translation import gettext_noop

    from accounts.texts import Text

    launch = dt.datetime(2026, 3, 2, 9, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Amsterdam"))
    (note,) = services.notification_send(
        recipients=[agent],
        title=Text(
            gettext_noop("Campaign %(name)s launches %(launch)s"),
            {"name": "Lente", "launch": launch},
        ),
        email=False,
    )
    note.refresh_from_db()
    with translation.override("nl"):
        assert note.title_text == "Campagne Lente wordt gelanceerd op 2 maart 2026 09:00"
    with translation.override("en"):
        assert note.title_text == "Campaign Lente launches March 2, 2026, 9 a.m."


def test_each_e_mail_is_written_in_its_recipients_language(
    agent: User,
    manager: User,
    django_capture_on_commit_callbacks,
    mailoutbox,
    eager_celery: None,
) -> None:
    from django.utils.translation import gettext_noop

    from accounts.texts import Text

    agent.language, manager.language = "nl", "en"
    agent.save(update_fields=["language"])
    manager.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        services.notification_send(
            recipients=[agent, manager],
            title=Text(gettext_noop("Sub-tasks done on case %(number)s"), {"number": 3}),
        )
    subjects = {m.to[0]: m.subject for m in mailoutbox}
    assert subjects == {
        "agent@example.com": "Subtaken afgerond bij zaak 3",
        "manager@example.com": "Sub-tasks done on case 3",
    }


def test_the_bell_names_the_newest_unread_notification(agent_client: Client, agent: User) -> None:
    NotificationFactory(recipient=agent, title="Older")
    NotificationFactory(recipient=agent, title="Newest")
    response = agent_client.get(BELL)
    assert b"data-latest>Newest<" in response.content


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Zaak 12 is aan je toegewezen", ("Case %(number)s was assigned to you", {"number": 12})),
        (
            "Case 4 escalated: Resolution overdue",
            (
                "Case %(number)s escalated: %(kind)s",
                {"number": 4, "kind": {"m": "Resolution overdue", "p": {}}},
            ),
        ),
        (
            "Korte termijn: Campagne Lente gepland: lancering 2 maart 2026 09:00",
            (
                "Short notice: Campaign %(name)s scheduled: launch %(launch)s",
                {"name": "Lente", "launch": "2 maart 2026 09:00"},
            ),
        ),
        ("Something a person wrote", None),
    ],
)
def test_the_migration_recovers_the_message_id_of_titles_stored_translated(
    title: str, expected: tuple | None
) -> None:
    import importlib

    migration = importlib.import_module("accounts.migrations.0002_notification_untranslated_text")
    assert migration.title_parse(title) == expected
