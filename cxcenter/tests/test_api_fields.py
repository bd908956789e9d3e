"""The strict API fields refuse what their OpenAPI schema does not allow, and the schema
says what they accept."""

from decimal import Decimal

import pytest
from django.http import HttpRequest
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from cxcenter.apifields import (
    QueryBooleanField,
    QueryIntegerField,
    StrictCharField,
    StrictCursorPagination,
    StrictDecimalField,
    StrictRegexField,
)


def _refused(field: serializers.Field, value: object) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        field.run_validation(value)
    return [str(message) for message in caught.value.detail]


@pytest.mark.parametrize("value", [0, 12, 1.5, True, None, [], {}])
def test_a_strict_string_refuses_what_is_not_a_string(value: object) -> None:
    field = StrictCharField(max_length=50)
    expected = ["This field may not be null."] if value is None else ["Send this as a string."]
    assert _refused(field, value) == expected


def test_a_strict_string_takes_a_string_and_trims_it() -> None:
    assert StrictCharField(max_length=50).run_validation("  SPRING26 ") == "SPRING26"


def test_a_strict_string_counts_its_length_before_trimming() -> None:
    assert _refused(StrictCharField(max_length=3), "abc ") == [
        "Ensure this field has no more than 3 characters."
    ]


def test_a_strict_string_without_blank_refuses_only_whitespace() -> None:
    assert _refused(StrictCharField(max_length=10), "   ") == ["This field may not be blank."]


def test_a_strict_pattern_refuses_a_number_that_would_match() -> None:
    field = StrictRegexField(r"^[\w.\-:]+$", max_length=50)
    assert _refused(field, 7) == ["Send this as a string."]
    assert _refused(field, "web shop") == ["This value does not match the required pattern."]
    assert field.run_validation("web-shop") == "web-shop"


@pytest.mark.parametrize("value", [5, 89.95, "-1.00", "1e3", " 5", "5.", ".5", "1.234", ""])
def test_a_strict_decimal_refuses_numbers_and_what_the_pattern_forbids(value: object) -> None:
    field = StrictDecimalField(max_digits=12, decimal_places=2, min_value=0)
    assert _refused(field, value) == ['Send this as a string, e.g. "89.95".']


@pytest.mark.parametrize("value", ["", "  "])
def test_a_nullable_strict_decimal_refuses_an_empty_string(value: str) -> None:
    field = StrictDecimalField(max_digits=12, decimal_places=2, min_value=0, allow_null=True)
    assert _refused(field, value) == ['Send this as a string, e.g. "89.95".']
    assert field.run_validation(None) is None


def test_a_strict_decimal_takes_digits_as_a_string() -> None:
    field = StrictDecimalField(max_digits=12, decimal_places=2, min_value=0)
    assert field.run_validation("89.95") == Decimal("89.95")
    assert field.run_validation("7") == Decimal("7")


def test_a_strict_decimal_with_negative_values_allows_a_minus() -> None:
    field = StrictDecimalField(max_digits=5, decimal_places=1)
    assert field.pattern == r"^-?\d{1,4}(?:\.\d{1,1})?$"
    assert field.run_validation("-12.5") == Decimal("-12.5")


@pytest.mark.parametrize("value", ["1.0", " 1", "1e2", "", "null", "x"])
def test_an_integer_query_parameter_is_digits_only(value: str) -> None:
    assert _refused(QueryIntegerField(required=False), value) == ["A valid integer is required."]


def test_an_integer_query_parameter_takes_digits() -> None:
    assert QueryIntegerField(required=False).run_validation("42") == 42


@pytest.mark.parametrize("value", ["1", "0", "yes", "True", "", "null"])
def test_a_boolean_query_parameter_is_true_or_false_only(value: str) -> None:
    field = QueryBooleanField(required=False, allow_null=True, default=None)
    assert _refused(field, value) == ["Give true or false."]


def test_a_boolean_query_parameter_takes_true_and_false() -> None:
    field = QueryBooleanField(required=False)
    assert (field.run_validation("true"), field.run_validation("false")) == (True, False)


class _Pages(StrictCursorPagination):
    ordering = "-id"
    page_size = 50
    max_page_size = 200


@pytest.mark.parametrize("limit", ["null", "", "0", "201", "1.5", "-3"])
def test_a_page_limit_out_of_bounds_is_refused(limit: str) -> None:
    request = APIRequestFactory().get("/", {"limit": limit})
    with pytest.raises(ValidationError) as caught:
        _Pages().get_page_size(_drf(request))
    assert caught.value.detail == {"limit": ["Give a whole number from 1 to 200."]}


def test_a_page_limit_in_bounds_or_absent_is_taken() -> None:
    factory = APIRequestFactory()
    assert _Pages().get_page_size(_drf(factory.get("/", {"limit": "200"}))) == 200
    assert _Pages().get_page_size(_drf(factory.get("/"))) == 50


def _drf(request: HttpRequest) -> Request:
    return Request(request)


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def test_the_schema_says_a_required_string_is_not_blank(schema: dict) -> None:
    props = schema["components"]["schemas"]["InteractionIn"]["properties"]
    assert props["external_id"] == {
        "type": "string",
        "minLength": 1,
        "pattern": r"\S",
        "maxLength": 200,
    }
    assert props["campaign"] == {"type": "string", "default": "", "maxLength": 50}


def test_the_schema_gives_the_decimal_pattern_the_field_checks(schema: dict) -> None:
    amount = schema["components"]["schemas"]["OrderIn"]["properties"]["amount"]
    assert amount == {
        "type": "string",
        "format": "decimal",
        "pattern": r"^\d{1,10}(?:\.\d{1,2})?$",
        "nullable": True,
    }


def test_the_schema_bounds_the_task_page_limit(schema: dict) -> None:
    parameters = schema["paths"]["/api/v1/tasks/"]["get"]["parameters"]
    limit = next(p for p in parameters if p["name"] == "limit")
    assert limit["schema"] == {"type": "integer", "minimum": 1, "maximum": 200}


def test_the_schema_documents_batch_items_as_any_value(schema: dict) -> None:
    items = schema["components"]["schemas"]["InteractionBatchIn"]["properties"]["items"]
    assert items["items"] == {}
