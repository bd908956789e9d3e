"""Notifications keep an untranslated message id and its parameters.

Existing titles were stored already translated (in English or Dutch). Those that match a
known title are turned back into the message id and its parameters, so they too are shown
in each reader's language; other titles stay as written. Bodies stay as written.
"""

import re

from django.db import migrations, models

# The titles written before this migration, in English and Dutch, as they were then.
KNOWN_TITLES = [
    ("Case %(number)s was assigned to you", "Zaak %(number)s is aan je toegewezen"),
    ("Case %(number)s escalated: %(kind)s", "Zaak %(number)s geëscaleerd: %(kind)s"),
    (
        "Case %(number)s was transferred to your department",
        "Zaak %(number)s is overgedragen aan je afdeling",
    ),
    ("The customer replied on case %(number)s", "De klant heeft gereageerd op zaak %(number)s"),
    (
        "Sub-task for your department on case %(number)s",
        "Subtaak voor je afdeling bij zaak %(number)s",
    ),
    ("Sub-tasks done on case %(number)s", "Subtaken afgerond bij zaak %(number)s"),
    (
        "Campaign %(name)s scheduled: launch %(launch)s",
        "Campagne %(name)s gepland: lancering %(launch)s",
    ),
    ("Campaign %(name)s launches %(launch)s", "Campagne %(name)s wordt gelanceerd op %(launch)s"),
]
SHORT_NOTICE = {
    "Campaign %(name)s scheduled: launch %(launch)s": (
        "Short notice: Campaign %(name)s scheduled: launch %(launch)s"
    ),
    "Campaign %(name)s launches %(launch)s": "Short notice: Campaign %(name)s launches %(launch)s",
}
SHORT_NOTICE_PREFIXES = ("Short notice: ", "Korte termijn: ")
ESCALATION_KINDS = {
    "First response overdue": "First response overdue",
    "Next response overdue": "Next response overdue",
    "Resolution overdue": "Resolution overdue",
    "Transferred more than twice": "Transferred more than twice",
    "Eerste reactie te laat": "First response overdue",
    "Volgende reactie te laat": "Next response overdue",
    "Oplossing te laat": "Resolution overdue",
    "Meer dan twee keer overgedragen": "Transferred more than twice",
}
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _pattern(template: str) -> re.Pattern[str]:
    out, last = [], 0
    for m in _PLACEHOLDER.finditer(template):
        out.append(re.escape(template[last : m.start()]))
        name = m.group(1)
        out.append(rf"(?P<{name}>\d+)" if name == "number" else rf"(?P<{name}>.+?)")
        last = m.end()
    out.append(re.escape(template[last:]))
    return re.compile("^" + "".join(out) + "$", re.DOTALL)


PATTERNS = [(msgid, _pattern(t)) for msgid, nl in KNOWN_TITLES for t in (msgid, nl)]


def title_parse(title: str) -> tuple[str, dict] | None:
    """(message id, parameters) of a title written in English or Dutch, or None."""
    short = title.startswith(SHORT_NOTICE_PREFIXES)
    rest = title.split(": ", 1)[1] if short else title
    for msgid, pattern in PATTERNS:
        if (m := pattern.match(rest)) is None:
            continue
        if short and msgid not in SHORT_NOTICE:
            continue
        params: dict = dict(m.groupdict())
        if "number" in params:
            params["number"] = int(params["number"])
        if "kind" in params:
            kind = ESCALATION_KINDS.get(params["kind"])
            params["kind"] = {"m": kind, "p": {}} if kind else params["kind"]
        return (SHORT_NOTICE[msgid] if short else msgid), params
    return None


def forwards(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    Notification = apps.get_model("accounts", "Notification")
    batch = []
    for note in Notification.objects.only("id", "title").iterator(chunk_size=2000):
        parsed = title_parse(note.title)
        if parsed is None:
            continue
        note.title, note.title_params = parsed
        batch.append(note)
        if len(batch) >= 2000:
            Notification.objects.bulk_update(batch, ["title", "title_params"])
            batch = []
    if batch:
        Notification.objects.bulk_update(batch, ["title", "title_params"])


def backwards(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    Notification = apps.get_model("accounts", "Notification")
    batch = []
    for note in Notification.objects.exclude(title_params={}).iterator(chunk_size=2000):
        params = {
            k: (v["m"] if isinstance(v, dict) and "m" in v else v)
            for k, v in note.title_params.items()
        }
        try:
            note.title = (note.title % params)[:200]
        except (KeyError, TypeError, ValueError):
            continue
        batch.append(note)
    Notification.objects.bulk_update(batch, ["title"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="body_parts",
            field=models.JSONField(blank=True, default=list, verbose_name="message parts"),
        ),
        migrations.AddField(
            model_name="notification",
            name="title_params",
            field=models.JSONField(blank=True, default=dict, verbose_name="title parameters"),
        ),
        migrations.RunPython(forwards, backwards, elidable=True),
    ]
