"""Default SLA policies per priority, and the short one of the exception queue."""

from django.db import migrations

H = 60
DEFAULTS = [
    # name, priority, is_default, first response, next response, resolution (minutes)
    ("Urgent", "urgent", True, 1 * H, 1 * H, 4 * H),
    ("High", "high", True, 4 * H, 4 * H, 24 * H),
    ("Normal", "normal", True, 8 * H, 8 * H, 48 * H),
    ("Low", "low", True, 24 * H, 24 * H, 72 * H),
    ("Exception queue", "", False, 2 * H, 2 * H, 8 * H),
    ("Feedback follow-up", "", False, 8 * H, 8 * H, 48 * H),
]


def forwards(apps, schema_editor):
    SlaPolicy = apps.get_model("journeys", "SlaPolicy")
    for name, priority, is_default, first, nxt, resolution in DEFAULTS:
        SlaPolicy.objects.get_or_create(
            name=name,
            defaults={
                "priority": priority,
                "is_default": is_default,
                "first_response_minutes": first,
                "next_response_minutes": nxt,
                "resolution_minutes": resolution,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("journeys", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
