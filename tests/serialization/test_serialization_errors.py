"""Reading bad or foreign data raises ValidationError naming the path; never a cattrs error."""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from payportal import Money, ValidationError
from payportal.accounts import CustomerAccount, OpenItem
from payportal.allocation import AllocationResult, Strategy
from payportal.customers import Customer
from payportal.documents import Document
from payportal.serialization import SCHEMA_VERSION, dump, dumps, load, loads
from payportal.testing import strategies as s

DAY = date(2026, 3, 1)


def eur(text: str) -> Money:
    return Money(text, "EUR")


def an_account() -> CustomerAccount:
    account = CustomerAccount(customer_id="42", currency="EUR")
    for number in range(5):
        account = account.add(
            OpenItem.simple(f"RE-{number}", eur("10.00"), due=DAY + timedelta(days=number))
        )
    result = account.allocate(
        eur("25.00"), strategy=Strategy.OLDEST_FIRST, paid_on=DAY, payment_id="P-1"
    )
    return account.apply(result)


def refused(data: object, kind: type = CustomerAccount) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        load(data, kind)
    assert type(caught.value) is ValidationError or isinstance(caught.value, ValidationError)
    return caught.value


def test_a_float_amount_names_the_path_down_to_it() -> None:
    data = dump(an_account())
    data["data"]["items"][3]["components"][0]["amount"]["amount"] = 10.0
    error = refused(data)
    assert error.field == "account.items[3].components[0].amount.amount"
    assert "never a number" in error.reason


def test_too_many_decimals_for_the_currency_are_refused_with_the_path() -> None:
    data = dump(an_account())
    data["data"]["ledger"][2]["amount"]["amount"] = "-10.001"
    assert refused(data).field == "account.ledger[2].amount.amount"


def test_an_unknown_currency_is_refused_with_the_path() -> None:
    data = dump(an_account())
    data["data"]["credit_balance"]["currency"] = "XXY"
    assert refused(data).field == "account.credit_balance.currency"


def test_an_unknown_key_is_refused() -> None:
    data = dump(an_account())
    data["data"]["allocations"][0]["surprise"] = 1
    error = refused(data)
    assert error.field == "account.allocations[0].surprise"


def test_a_missing_field_is_named() -> None:
    data = dump(an_account())
    del data["data"]["items"][1]["due_on"]
    error = refused(data)
    assert error.field == "account.items[1].due_on"
    assert error.reason == "is missing"


def test_a_number_where_text_belongs_is_not_coerced() -> None:
    data = dump(an_account())
    data["data"]["customer_id"] = 42
    assert refused(data).field == "account.customer_id"


def test_a_model_validator_names_the_field_under_the_path() -> None:
    data = dump(an_account())
    data["data"]["items"][4]["key"] = "RE-0"  # two items with one key
    error = refused(data)
    assert error.field.startswith("account.items[")
    assert error.field.endswith("key")


def test_an_unknown_enum_value_lists_the_known_ones() -> None:
    data = dump(an_account())
    data["data"]["allocations"][0]["strategy"] = "cheapest_first"
    error = refused(data)
    assert error.field == "account.allocations[0].strategy"
    assert "'oldest_first'" in error.reason


@pytest.mark.parametrize("version", [0, -1, SCHEMA_VERSION + 1, "2", True, None])
def test_an_unknown_schema_version_is_refused(version: object) -> None:
    data = dump(an_account())
    data["schema_version"] = version
    error = refused(data)
    assert error.field == "account.schema_version"


def test_a_newer_schema_version_says_to_upgrade_payportal() -> None:
    data = dump(an_account())
    data["schema_version"] = SCHEMA_VERSION + 1
    assert "upgrade payportal" in refused(data).reason


def test_another_model_is_refused_by_its_type_name() -> None:
    data = dump(eur("1.00"))
    error = refused(data)
    assert error.field == "account.type"
    assert error.value == "Money"


def test_a_base_class_accepts_only_its_own_models() -> None:
    assert refused(dump(an_account()), Document).field == "document.type"


@pytest.mark.parametrize(
    "data",
    [None, [], "text", {"data": {}}, {"schema_version": 2, "type": "CustomerAccount"}],
)
def test_data_that_is_not_a_stored_document_is_refused(data: object) -> None:
    assert refused(data).field == "account"


def test_text_that_is_not_json_is_refused() -> None:
    with pytest.raises(ValidationError, match="is not JSON text") as caught:
        loads('{"schema_version": 2,', CustomerAccount)
    assert caught.value.field == "account"


@given(st.data())
@settings(max_examples=60)
def test_truncated_text_never_loads_half_an_account(data: st.DataObject) -> None:
    text = dumps(an_account())
    cut = data.draw(st.integers(min_value=0, max_value=len(text) - 1))
    with pytest.raises(ValidationError):
        loads(text[:cut], CustomerAccount)


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _leaves(item, (*path, key))]
    if isinstance(value, list):
        return [p for index, item in enumerate(value) for p in _leaves(item, (*path, index))]
    return [path]


JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=5),
    st.just([]),
    st.just({}),
    st.just("2026-02-30"),
    st.just("-0.001"),
)


@given(st.data(), s.accounts())
@settings(max_examples=60)
def test_corrupted_data_loads_or_raises_validation_error_never_another_error(
    data: st.DataObject, account: CustomerAccount
) -> None:
    stored = dump(account)
    leaves = _leaves(stored["data"])
    path = data.draw(st.sampled_from(leaves))
    broken = copy.deepcopy(stored)
    target = broken["data"]
    for key in path[:-1]:
        target = target[key]
    if path:
        target[path[-1]] = data.draw(JUNK)
    else:
        broken["data"] = data.draw(JUNK)
    outcome: object
    try:
        outcome = load(broken, CustomerAccount)
    except ValidationError as error:
        outcome = error
    if isinstance(outcome, ValidationError):
        assert outcome.field.startswith("account")
    else:
        assert isinstance(outcome, CustomerAccount)


def test_a_customer_field_error_is_named_with_the_customer_root() -> None:
    customer = Customer(id="c1", number="K-1", name="Ada")
    data = json.loads(dumps(customer))
    data["data"]["email"] = "not an address"
    with pytest.raises(ValidationError) as caught:
        load(data, Customer)
    assert caught.value.field == "customer.email"


def test_dump_refuses_what_is_not_a_model() -> None:
    with pytest.raises(ValidationError, match="not a payportal model"):
        dump({"amount": "1.00"})


def test_allocation_result_is_loaded_without_the_items_it_was_allocated_over() -> None:
    account = an_account()
    result = account.allocations["P-1"]
    back = loads(dumps(result), AllocationResult)
    assert back == result
    assert back.remaining_open("RE-2") == eur("5.00")
    assert back.allocated_to("RE-4") == eur("0.00")
