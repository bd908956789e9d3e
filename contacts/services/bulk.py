"""Set-based building blocks for work on many rows at once (batch intake, CSV import): one
look-up for many identities or natural keys, and "never move backwards" updates of many
rows in one statement."""

import datetime as dt
from collections.abc import Iterable, Mapping

from django.db import connection
from django.db.models import Field, Model

from contacts.models import Identity, Interaction, Order


def identities_lookup(*, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Identity]:
    """The stored identities among ``pairs`` (kind, value), with their customer and the
    customer it was merged into, in one query (the (kind, value) unique index)."""
    wanted = set(pairs)
    if not wanted:
        return {}
    rows = Identity.objects.filter(
        kind__in={kind for kind, _ in wanted}, value__in={value for _, value in wanted}
    ).select_related("customer", "customer__merged_into")
    return {(i.kind, i.value): i for i in rows if (i.kind, i.value) in wanted}


def natural_keys_lookup[M: (Interaction, Order)](
    *, model: type[M], keys: Iterable[tuple[str, str]], extra: Mapping[str, object] | None = None
) -> dict[tuple[str, str], M]:
    """Rows of ``model`` by (source, external_id) in one query (their unique index)."""
    wanted = set(keys)
    if not wanted:
        return {}
    rows = (
        model._default_manager.filter(
            source__in={s for s, _ in wanted},
            external_id__in={e for _, e in wanted},
            **(extra or {}),
        )
        .exclude(external_id="")
        .order_by()
    )
    return {
        (row.source, row.external_id): row
        for row in rows
        if (row.source, row.external_id) in wanted
    }


def timestamps_raise(*, model: type[Model], column: str, values: Mapping[int, dt.datetime]) -> None:
    """Set ``column`` to the given time for each primary key, where it is empty or earlier
    (never backwards, so concurrent writers cannot undo each other): one UPDATE … FROM
    (VALUES …) for all rows. VALUES names its columns column1, column2 in PostgreSQL and
    SQLite alike."""
    if not values:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    field = model._meta.get_field(column)
    if not isinstance(field, Field) or field.column is None:
        raise ValueError(f"{model.__name__}.{column} is not a column")
    name = connection.ops.quote_name(field.column)
    adapt = connection.ops.adapt_datetimefield_value
    if connection.vendor == "postgresql":
        marks = ", ".join(["(%s::bigint, %s::timestamptz)"] * len(values))
    else:
        marks = ", ".join(["(%s, %s)"] * len(values))
    params: list[int | str | None] = []
    for pk, at in sorted(values.items()):
        params += [pk, adapt(at)]
    sql = (
        f"UPDATE {table} SET {name} = v.column2 FROM (VALUES {marks}) AS v "
        f"WHERE {table}.id = v.column1 AND ({table}.{name} IS NULL OR {table}.{name} < v.column2)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
