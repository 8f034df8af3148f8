"""The fast text writer (serialization._text) writes exactly what the plain json rule writes."""

from __future__ import annotations

import enum
import functools
import json
import math
from decimal import Decimal
from typing import Any, Literal

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_serialization_round_trip import STRATEGIES

from payportal import Money
from payportal.exceptions import ValidationError
from payportal.serialization import dump, dumps
from payportal.serialization._converter import MODELS
from payportal.serialization._text import dumps as text
from payportal.serialization._text import float_free


def plain(data: object) -> str:
    """The rule the fast writer must give the very characters of."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_every_model_is_written_as_the_plain_rule_writes_it(name: str) -> None:
    @settings(max_examples=15)
    @given(STRATEGIES[name])
    def same(obj: object) -> None:
        assert dumps(obj) == plain(dump(obj))

    same()


# JSON data as the models' stored forms hold it: no floats.
JSON_DATA = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(JSON_DATA)
@settings(max_examples=300)
def test_any_float_free_data_is_written_as_the_plain_rule_writes_it(data: object) -> None:
    # Big integers (orjson refuses them), control characters, quotes, backslashes, non-ASCII
    # letters and lone surrogates (orjson refuses them too) included.
    assert text(data, Money) == plain(data)


# JSON data of no model, as journal data and outbox payloads hold it: floats (NaN and
# infinities included), tuples and strings keys among them.
ANY_JSON_DATA = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text() | st.floats(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=4).map(tuple)
        | st.dictionaries(st.text(), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(ANY_JSON_DATA)
@settings(max_examples=300)
def test_any_data_of_no_model_is_written_as_the_plain_rule_writes_it(data: object) -> None:
    try:
        expected = plain(data)
    except ValueError as error:  # NaN, infinity: refused as the plain rule refuses them
        with pytest.raises(ValueError, match=str(error)):
            text(data)
    else:
        assert text(data) == expected


class Colour(enum.Enum):
    RED = "red"


@pytest.mark.parametrize(
    "data",
    [
        {"colour": Colour.RED},  # orjson writes an enum's value; json refuses it
        {1: "int key"},  # json writes "1", orjson refuses
        {"deep": functools.reduce(lambda inner, _: [inner], range(40), "x")},  # json writes it
        {"at": Decimal("1.5")},
    ],
)
def test_data_of_no_model_that_orjson_would_write_otherwise_keeps_the_plain_rule(
    data: object,
) -> None:
    try:
        expected = plain(data)
    except TypeError as error:
        with pytest.raises(TypeError, match=str(error)):
            text(data)
    else:
        assert text(data) == expected


def test_data_of_no_model_that_refers_to_itself_is_refused_as_the_plain_rule_refuses_it() -> None:
    data: dict[str, Any] = {}
    data["self"] = data
    with pytest.raises(ValueError, match="Circular reference detected"):
        text(data)


@pytest.mark.parametrize(
    "data",
    [
        2**64,
        -(2**63) - 1,
        {"amount": 10**40},
        "\ud800",
        {"\udfff": 1},
        '\x00\x1f\x7f\u2028\u2029"\\/é€\U0001f600',
    ],
)
def test_what_orjson_refuses_or_escapes_is_written_by_the_plain_rule(data: object) -> None:
    assert text(data, Money) == plain(data)


def test_data_of_a_model_that_may_hold_a_float_keeps_the_plain_rules_refusal() -> None:
    # orjson would write NaN as null; a WebhookEvent's data is provider JSON and may hold one.
    assert not float_free(MODELS["WebhookEvent"])
    with pytest.raises(ValueError, match="Out of range float"):
        text({"x": math.nan}, MODELS["WebhookEvent"])
    event = MODELS["WebhookEvent"](
        id="WH-1", provider="paypal", type="x", data={"amount": math.inf}
    )
    with pytest.raises(ValidationError, match="JSON cannot carry"):
        dumps(event)


def test_float_free_knows_the_stored_models() -> None:
    assert float_free(MODELS["CustomerAccount"])
    assert float_free(MODELS["Invoice"])
    assert float_free(MODELS["Payment"])
    assert not float_free(MODELS["WebhookEvent"])  # provider data: Mapping[str, Any]


@attrs.frozen
class _Node:
    name: str
    children: tuple[_Node, ...] = ()


@attrs.frozen
class _Measured:
    name: str
    weight: float


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (str, True),
        (Decimal, True),
        (int | None, True),
        (tuple[str, ...], True),
        (dict[str, Money], True),
        (Literal["a", 1], True),
        (_Node, True),  # holds itself: decided by its other fields
        (float, False),
        (Any, False),
        (object, False),
        (Literal[1.5], False),
        (tuple[str, float], False),
        (_Measured, False),
        (list[_Measured], False),
    ],
)
def test_float_free_decides_by_every_field_however_deep(kind: object, expected: bool) -> None:
    assert float_free(kind) is expected


def test_the_plain_rule_is_kept_for_data_of_no_model() -> None:
    with pytest.raises(ValueError, match="Out of range float"):
        text([math.nan])
    assert text({"a": [1, "b", None]}) == '{"a":[1,"b",null]}'
