"""Set-based building blocks for work on many rows at once (batch intake, CSV import): one
look-up for many identities or natural keys, and "never move backwards" updates of many
rows in one statement."""

import datetime as dt
import functools
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.db.models import Field, JSONField, Model, Q
from django.db.models.base import ModelState
from django.db.models.expressions import RawSQL

from contacts.models import Identity, Interaction, Order


def _pairs_in(
    model: type[Model], first: str, second: str, pairs: set[tuple[str, str]], where: str = ""
) -> Q:
    """Rows whose (``first``, ``second``) is one of ``pairs``. On PostgreSQL a join with the
    pairs as two arrays, which the planner answers with one look-up per pair in the unique
    index on those columns (two long IN lists made it read the whole table); elsewhere the
    two IN lists, filtered in Python by the callers."""
    if connection.vendor != "postgresql":
        return Q(**{f"{first}__in": {a for a, _ in pairs}, f"{second}__in": {b for _, b in pairs}})
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    a, b = (quote(_column(model, name)) for name in (first, second))
    ordered = sorted(pairs)
    return Q(
        pk__in=RawSQL(
            f"SELECT t.id FROM {table} t JOIN unnest(%s::text[], %s::text[]) AS w(a, b) "
            f"ON t.{a} = w.a AND t.{b} = w.b{where}",
            ([x for x, _ in ordered], [y for _, y in ordered]),
        )
    )


def _column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or field.column is None:
        raise ValueError(f"{model.__name__}.{name} is not a column")
    return field.column


def identities_lookup(*, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Identity]:
    """The stored identities among ``pairs`` (kind, value), with their customer and the
    customer it was merged into, in one query (the (kind, value) unique index)."""
    wanted = set(pairs)
    if not wanted:
        return {}
    rows = Identity.objects.filter(_pairs_in(Identity, "kind", "value", wanted)).select_related(
        "customer", "customer__merged_into"
    )
    return {(i.kind, i.value): i for i in rows if (i.kind, i.value) in wanted}


def natural_keys_lookup[M: (Interaction, Order)](
    *, model: type[M], keys: Iterable[tuple[str, str]], extra: Mapping[str, object] | None = None
) -> dict[tuple[str, str], M]:
    """Rows of ``model`` by (source, external_id) in one query (their unique index)."""
    wanted = set(keys)
    if not wanted:
        return {}
    # The unique index is partial (external ids that are not empty): the join says so too.
    found = _pairs_in(model, "source", "external_id", wanted, where=" AND t.external_id <> ''")
    rows = model._default_manager.filter(found, **(extra or {})).exclude(external_id="").order_by()
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


@functools.cache
def _blank(model: type[Model]) -> tuple[dict[str, Any], list[tuple[str, Any]], dict[str, str]]:
    """Per model: the static defaults by attname, the callable ones, and relations by name."""
    static: dict[str, Any] = {}
    dynamic: list[tuple[str, Any]] = []
    relations: dict[str, str] = {}
    for f in model._meta.concrete_fields:
        if f.has_default() and callable(f.default):
            dynamic.append((f.attname, f.default))
        else:
            static[f.attname] = f.get_default()
        if f.is_relation:
            relations[f.name] = f.attname
    return static, dynamic, relations


def model_new[M: Model](model: type[M], /, **values: Any) -> M:
    """``model(**values)`` for the many unsaved rows of a batch, without the general
    constructor's per-field work: defaults, then ``values`` by field name or attname (a
    related object is cached as the constructor does). No pre_init/post_init signals."""
    static, dynamic, relations = _blank(model)
    obj = model.__new__(model)
    obj._state = ModelState()
    data = obj.__dict__
    data.update(static)
    for attname, make in dynamic:
        data[attname] = make()
    for name, value in values.items():
        relation = relations.get(name)
        if relation is None:
            data[name] = value
        else:
            obj._state.fields_cache[name] = value
            data[relation] = None if value is None else value.pk
    return obj


def models_insert(
    *, groups: Sequence[tuple[type[Model], Sequence[Model]]], now: dt.datetime
) -> None:
    """Insert new, unsaved objects and give each its primary key, like ``bulk_create`` but
    without its per-field work. ``groups`` is (model, objects) with parents before their
    children. On PostgreSQL the keys of all groups come from their sequences in one query
    and each group's rows go in with one COPY; elsewhere ``bulk_create`` per group.

    Related objects saved earlier (or in an earlier group) are picked up by their key, and
    ``auto_now``/``auto_now_add`` fields get ``now``. Fields must hold values the driver
    takes as they are (strings, numbers, datetimes, Decimals, booleans, None; choice
    enums are str or int subclasses and go in as those)."""
    groups = [(model, objs) for model, objs in groups if objs]
    if not groups:
        return
    if connection.vendor != "postgresql":
        for model, objs in groups:
            model._default_manager.bulk_create(objs)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            # The sequence is looked up once per group, not once per row (OFFSET 0 keeps the
            # planner from pulling the look-up into the row loop).
            " UNION ALL ".join(
                f"(SELECT {n}, nextval(s.seq) FROM (SELECT pg_get_serial_sequence(%s, 'id')"
                "::regclass AS seq OFFSET 0) AS s, generate_series(1, %s))"
                for n in range(len(groups))
            ),
            [value for model, objs in groups for value in (model._meta.db_table, len(objs))],
        )
        ids: list[list[int]] = [[] for _ in groups]
        for n, pk in cursor.fetchall():
            ids[n].append(pk)
        for (_model, objs), keys in zip(groups, ids, strict=True):
            for pk, obj in zip(keys, objs, strict=True):
                obj.pk = pk
        for model, objs in groups:
            _copy(cursor, model, objs, now)


# COPY's text format: a backslash and the row and column separators are escaped, None is \N.
_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _text_str(value: str) -> str:
    if "\\" in value or "\n" in value or "\r" in value or "\t" in value:
        return value.translate(_ESCAPES)
    return value


def _text_datetime(value: dt.datetime | dt.date) -> str:
    return value.isoformat()


def _text_bool(value: bool) -> str:
    return "t" if value else "f"


def _text_plain(value: Any) -> str:
    return str(value)


# By exact type; subclasses (choice enums) are looked up by their base below.
_TEXT: dict[type, Callable[[Any], str]] = {
    str: _text_str,
    int: _text_plain,
    bool: _text_bool,
    dt.datetime: _text_datetime,
    dt.date: _text_datetime,
    Decimal: _text_plain,
    float: repr,
    uuid.UUID: _text_plain,
}


def copy_text(value: Any) -> str:
    """One value in COPY's text format, as psycopg's ``write_row`` would send it."""
    if value is None:
        return "\\N"
    convert = _TEXT.get(type(value))
    if convert is not None:
        return convert(value)
    # Choice enums go in as their str or int value (str() of an IntEnum may be its name).
    if isinstance(value, str):
        return _text_str(str.__str__(value))
    if isinstance(value, bool):
        return _text_bool(value)
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not a value models_insert writes")


def copy_column(values: list[Any]) -> list[str]:
    """``copy_text`` of each value of one column, by the column's types at once where they
    are all of one plain kind (strings, integers, datetimes, None)."""
    kinds = set(map(type, values))
    if len(kinds) == 1:
        kind = next(iter(kinds))
        if kind is str:
            blob = "".join(values)
            if "\\" in blob or "\n" in blob or "\r" in blob or "\t" in blob:
                return [value.translate(_ESCAPES) for value in values]
            return values
        if kind is type(None):
            return ["\\N"] * len(values)
        if kind is int:
            return list(map(str, values))
        if kind is dt.datetime:
            # Mostly one moment repeated (first and last seen, created and updated).
            texts: dict[dt.datetime, str] = {}
            return [texts.get(v) or texts.setdefault(v, v.isoformat()) for v in values]
    return [copy_text(value) for value in values]


def _copy(
    cursor: CursorWrapper, model: type[Model], objs: Sequence[Model], now: dt.datetime
) -> None:
    meta = model._meta
    stamped = [
        f.attname
        for f in meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    related = [(f.name, f.attname) for f in meta.concrete_fields if f.is_relation]
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    if any(isinstance(f, JSONField) for f in fields):
        raise ValueError(f"{meta.label} has JSON fields; use bulk_create")
    columns = [f.attname for f in fields]
    table = connection.ops.quote_name(meta.db_table)
    names = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    sql = f"COPY {table} (id, {names}) FROM STDIN"
    alias = connection.alias
    tick = time.monotonic()
    for obj in objs:
        values = obj.__dict__
        state = obj._state
        cache = state.fields_cache
        for name, attname in related:
            if values.get(attname) is None and name in cache:
                parent = cache[name]
                if parent is not None:
                    values[attname] = parent.pk
        for attname in stamped:
            values[attname] = now
        state.adding = False
        state.db = alias
    # The text built here rather than by write_row, a column at a time: the same text for
    # the types this writes, without psycopg's per-value dumper look-up.
    rows = [obj.__dict__ for obj in objs]
    texts = [[str(obj.pk) for obj in objs]]
    for column in columns:
        texts.append(
            [copy_text(now)] * len(rows)
            if column in stamped
            else copy_column([row[column] for row in rows])
        )
    lines = ["\t".join(line) for line in zip(*texts, strict=True)]
    lines.append("")
    with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
        copy.write("\n".join(lines))
    if connection.queries_logged:
        connection.queries_log.append(
            {"sql": f"{sql} -- {len(objs)} rows", "time": f"{time.monotonic() - tick:.3f}"}
        )
