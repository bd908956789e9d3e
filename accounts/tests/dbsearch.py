"""Look for a string in every text column of every table, as a database dump would show it."""

from django.db import connection

_TEXT_TYPES = ("char", "text", "json", "clob", "varchar")


def tables_containing(needle: str) -> list[str]:
    """``table.column`` of every place the database holds ``needle`` (case-insensitive)."""
    hits = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                if not _is_text(cursor, table, column):
                    continue
                quoted_table = connection.ops.quote_name(table)
                quoted = connection.ops.quote_name(column.name)
                cursor.execute(
                    f"SELECT 1 FROM {quoted_table} WHERE LOWER(CAST({quoted} AS TEXT)) LIKE %s"
                    " LIMIT 1",
                    [f"%{needle.lower()}%"],
                )
                if cursor.fetchone():
                    hits.append(f"{table}.{column.name}")
    return hits


def _is_text(cursor, table: str, column) -> bool:
    field = connection.introspection.get_field_type(column.type_code, column)
    return field in {"CharField", "TextField", "JSONField", "SlugField", "EmailField"} or any(
        t in str(column.type_code).lower() for t in _TEXT_TYPES
    )
