"""Drop the indexes of contacts_interaction.customer_id and contacts_identity.customer_id:
each is the leading column of another index (interaction_timeline_idx, identity_customer_idx)
that serves the same look-ups, so they only cost writes. Only the indexes are dropped; the
foreign keys stay as they are (AlterField would drop and re-check them on every row)."""

import django.db.models.deletion
from django.db import migrations, models

INDEXES = (
    ("contacts_identity", "contacts_identity_customer_id_0418a820"),
    ("contacts_interaction", "contacts_interaction_customer_id_70915b4a"),
)


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0009_merge"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="identity",
                    name="customer",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="identities",
                        to="contacts.customer",
                    ),
                ),
                migrations.AlterField(
                    model_name="interaction",
                    name="customer",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="interactions",
                        to="contacts.customer",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    f'CREATE INDEX "{name}" ON "{table}" ("customer_id")',
                )
                for table, name in INDEXES
            ],
        ),
    ]
