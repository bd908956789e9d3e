"""Inbound contact moments by time (an index-only count for the forecast baseline), and on
PostgreSQL the recent-customers index in the search's own order (NULLS LAST)."""

from django.db import migrations, models

RECENT_NULLS_LAST = (
    "CREATE INDEX customer_recent_idx ON contacts_customer "
    "(last_interaction_at DESC NULLS LAST, id DESC) WHERE merged_into_id IS NULL"
)
RECENT_PLAIN = (
    "CREATE INDEX customer_recent_idx ON contacts_customer "
    "(last_interaction_at DESC, id DESC) WHERE merged_into_id IS NULL"
)


def _rebuild(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("DROP INDEX IF EXISTS customer_recent_idx")
        schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("contacts", "0004_channel_note")]

    operations = [
        migrations.AddIndex(
            model_name="interaction",
            index=models.Index(
                condition=models.Q(("direction", "in")),
                fields=["occurred_at"],
                name="interaction_inbound_idx",
            ),
        ),
        migrations.RunPython(_rebuild(RECENT_NULLS_LAST), _rebuild(RECENT_PLAIN), elidable=False),
    ]
