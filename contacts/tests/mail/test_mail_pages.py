"""Settings → Mailboxes, "fetch now", attachment downloads and e-mail on the timeline: who
may see what, and constant query counts."""

from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import DepartmentFactory, UserFactory
from contacts.mail.ingest import mail_ingest
from contacts.mail.models import Attachment
from contacts.tests.factories import MailboxFactory

from .conftest import eml_bytes

pytestmark = pytest.mark.django_db
MAILBOXES = reverse("mail:mailboxes")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def admin_client(contact_center) -> Client:
    client = Client()
    client.force_login(UserFactory(username="admin", department=None, roles=[Role.ADMIN]))
    return client


def fetch_url(mailbox) -> str:
    return reverse("mail:mailbox_fetch", args=[mailbox.pk])


def test_a_manager_sees_the_mailboxes_of_their_department(manager_client, contact_center):
    MailboxFactory(name="support", address="support@cxcenter.test", department=contact_center)
    MailboxFactory(name="sales", address="sales@cxcenter.test", department=DepartmentFactory())
    body = manager_client.get(MAILBOXES).content.decode()
    assert ("support@cxcenter.test" in body, "sales@cxcenter.test" in body) == (True, False)


def test_an_admin_sees_every_mailbox(admin_client):
    MailboxFactory(name="support", address="support@cxcenter.test")
    MailboxFactory(name="sales", address="sales@cxcenter.test", department=DepartmentFactory())
    body = admin_client.get(MAILBOXES).content.decode()
    assert ("support@cxcenter.test" in body, "sales@cxcenter.test" in body) == (True, True)


def test_the_page_shows_last_error_and_messages_today(manager_client, contact_center):
    MailboxFactory(department=contact_center, last_error="LOGIN failed")
    mail_ingest(raw=eml_bytes("apple_mail.eml"))
    response = manager_client.get(MAILBOXES)
    assert (
        "LOGIN failed" in response.content.decode(),
        response.context["mailboxes"][0].count_today,
    ) == (
        True,
        1,
    )


@pytest.mark.parametrize(
    "persona", ["agent_client", "member_client", "marketer_client", "outsider_client"]
)
def test_others_may_not_see_the_mailboxes(persona, request):
    assert request.getfixturevalue(persona).get(MAILBOXES).status_code == 403


def test_the_settings_page_links_to_the_mailboxes(manager_client):
    assert MAILBOXES in manager_client.get(reverse("accounts:settings")).content.decode()


@pytest.mark.parametrize("rows", [1, 50])
def test_the_mailboxes_page_query_count_is_the_same_for_1_and_50(
    admin_client, django_assert_num_queries, rows
):
    for n in range(rows):
        MailboxFactory(
            name=f"box{n}", address=f"box{n}@cxcenter.test", department=DepartmentFactory()
        )
    # user, permissions, roles (selector), mailboxes, roles (navigation)
    with django_assert_num_queries(5):
        assert admin_client.get(MAILBOXES).status_code == 200


def test_fetch_now_queues_a_fetch_after_commit(
    manager_client, contact_center, django_capture_on_commit_callbacks
):
    mailbox = MailboxFactory(department=contact_center, host="imap.example.nl")
    with (
        mock.patch("contacts.mail.views.mailbox_fetch.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = manager_client.post(fetch_url(mailbox))
    assert (response.status_code, delay.call_args_list) == (302, [mock.call(mailbox.pk)])


def test_fetch_now_is_post_only(manager_client, contact_center):
    mailbox = MailboxFactory(department=contact_center, host="imap.example.nl")
    assert manager_client.get(fetch_url(mailbox)).status_code == 405


def test_fetch_now_of_another_departments_mailbox_is_404(manager_client):
    mailbox = MailboxFactory(department=DepartmentFactory(), host="imap.example.nl")
    assert manager_client.post(fetch_url(mailbox)).status_code == 404


def test_fetch_now_of_an_unknown_mailbox_is_404(manager_client):
    assert manager_client.post(reverse("mail:mailbox_fetch", args=[999])).status_code == 404


def test_fetch_now_of_a_mailbox_without_imap_queues_nothing(manager_client, contact_center):
    mailbox = MailboxFactory(department=contact_center, host="")
    with mock.patch("contacts.mail.views.mailbox_fetch.delay") as delay:
        response = manager_client.post(fetch_url(mailbox), follow=True)
    assert (delay.call_count, "is not fetched over IMAP" in response.content.decode()) == (0, True)


def _pdf() -> Attachment:
    interaction = mail_ingest(raw=eml_bytes("attachment.eml")).interaction
    return Attachment.objects.get(interaction=interaction, content_type="application/pdf")


def test_an_agent_downloads_an_attachment_as_a_file(agent_client):
    pdf = _pdf()
    response = agent_client.get(reverse("mail:attachment", args=[pdf.pk]))
    assert (
        response.status_code,
        response["Content-Disposition"],
        response["X-Content-Type-Options"],
        b"".join(response.streaming_content).startswith(b"%PDF"),
    ) == (200, 'attachment; filename="factuur 10045.pdf"', "nosniff", True)


@pytest.mark.parametrize("persona", ["marketer_client", "outsider_client"])
def test_who_may_not_see_the_timeline_cannot_download(persona, request):
    pdf = _pdf()
    assert (
        request.getfixturevalue(persona).get(reverse("mail:attachment", args=[pdf.pk])).status_code
        == 404
    )


def test_a_refused_attachment_cannot_be_downloaded(agent_client):
    interaction = mail_ingest(raw=eml_bytes("attachment.eml")).interaction
    exe = Attachment.objects.get(interaction=interaction, name="setup.exe")
    assert agent_client.get(reverse("mail:attachment", args=[exe.pk])).status_code == 404


def test_an_unknown_attachment_is_404(agent_client):
    assert agent_client.get(reverse("mail:attachment", args=[12345])).status_code == 404


def test_the_timeline_shows_the_new_text_and_folds_the_quote(agent_client):
    interaction = mail_ingest(raw=eml_bytes("gmail.eml")).interaction
    assert interaction is not None
    body = agent_client.get(
        reverse("contacts:customer", args=[interaction.customer_id])
    ).content.decode()
    assert ("Show quoted text" in body, "&gt; Klopt uw nieuwe adres?" in body) == (True, True)


def test_the_timeline_lists_attachments_and_refusals(agent_client):
    pdf = _pdf()
    body = agent_client.get(
        reverse("contacts:customer", args=[pdf.interaction.customer_id])
    ).content.decode()
    assert (
        reverse("mail:attachment", args=[pdf.pk]) in body,
        "setup.exe — <em>attachment refused (type not allowed)</em>" in body,
    ) == (True, True)


def test_the_timeline_marks_automatic_messages(agent_client):
    interaction = mail_ingest(raw=eml_bytes("out_of_office.eml")).interaction
    assert interaction is not None
    body = agent_client.get(
        reverse("contacts:customer", args=[interaction.customer_id])
    ).content.decode()
    assert "automatic message" in body


def test_no_script_from_html_mail_reaches_the_page(agent_client):
    interaction = mail_ingest(raw=eml_bytes("html_only.eml")).interaction
    assert interaction is not None
    body = agent_client.get(
        reverse("contacts:customer", args=[interaction.customer_id])
    ).content.decode()
    assert ("steal()" in body, "tracker.example" in body) == (False, False)


@pytest.mark.parametrize("rows", [1, 25])
def test_the_timeline_query_count_is_the_same_for_1_and_many_emails(
    agent_client, django_assert_num_queries, rows
):
    for n in range(rows):
        raw = eml_bytes("attachment.eml").replace(b"<attachment-1@", f"<attachment-{n}@".encode())
        interaction = mail_ingest(raw=raw).interaction
        assert interaction is not None
        customer_id = interaction.customer_id
    url = reverse("contacts:customer", args=[customer_id]) + "?fragment=rows"
    # user, permissions, customer, timeline (with the e-mail), attachments, the timeline's
    # references (cases: which moments name one, then which of those the agent may open;
    # a page naming none costs only the first), …
    with django_assert_num_queries(9):
        assert agent_client.get(url, headers={"HX-Request": "true"}).status_code == 200
