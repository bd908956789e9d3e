"""``manage.py mail_bench`` runs and prints a figure per path (small numbers here)."""

import io

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_mail_bench_prints_messages_per_second(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    out = io.StringIO()
    call_command("mail_bench", "--messages", "5", "--pipe", "0", "--no-imap", stdout=out)
    lines = out.getvalue().splitlines()
    assert [line.split()[0] for line in lines] == ["path", "ingest", "mail_ingest"]
