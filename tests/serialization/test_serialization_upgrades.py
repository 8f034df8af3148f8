"""Reading data of an older schema version upgrades it; the stored size follows the ledger."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings

from payportal import Money, ValidationError
from payportal.accounts import CustomerAccount, OpenItem
from payportal.allocation import AllocationResult, Strategy, allocate
from payportal.serialization import SCHEMA_VERSION, dump, dumps, load, loads
from payportal.testing import strategies as s


def eur(text: str) -> dict[str, str]:
    return {"amount": text, "currency": "EUR"}


def item_v1(key: str, open_amount: str, due: str) -> dict[str, Any]:
    return {
        "key": key,
        "components": [{"kind": "principal", "amount": eur(open_amount)}],
        "due_on": due,
        "issued_on": due,
        "subject": "",
        "secured": False,
        "burden": 0,
        "discount": None,
        "discount_until": None,
    }


# An account as schema version 1 stored it: the allocation carries a copy of every item it
# was allocated over (both, though the payment touched only RE-1), and no open_before.
ACCOUNT_V1: dict[str, Any] = {
    "schema_version": 1,
    "type": "CustomerAccount",
    "data": {
        "customer_id": "42",
        "currency": "EUR",
        "items": [item_v1("RE-1", "20.00", "2026-01-10"), item_v1("RE-2", "50.00", "2026-02-10")],
        "credit_balance": eur("0.00"),
        "prepaid": {
            "currency": "EUR",
            "balance": eur("0.00"),
            "credited": [],
            "pending": [],
            "charged": [],
        },
        "allocations": [
            {
                "payment_id": "P-1",
                "payment": eur("30.00"),
                "paid_on": "2026-01-15",
                "strategy": "oldest_first",
                "overpayment": "credit_balance",
                "lines": [{"item": "RE-1", "component": "principal", "amount": eur("30.00")}],
                "discounts": [],
                "write_offs": [],
                "unapplied": eur("0.00"),
                "unmatched_references": [],
                "items": [
                    item_v1("RE-1", "50.00", "2026-01-10"),
                    item_v1("RE-2", "50.00", "2026-02-10"),
                ],
            }
        ],
        "credit_funded": [],
        "refunds_due": [],
        "ledger": [
            {"on": "2026-01-15", "kind": "payment", "reference": "P-1", "amount": eur("-30.00")}
        ],
    },
}


def test_version_1_account_is_upgraded_to_results_with_ids_and_amounts() -> None:
    account = load(ACCOUNT_V1, CustomerAccount)
    result = account.allocations["P-1"]
    assert dict(result.open_before) == {"RE-1": Money("50.00", "EUR")}
    assert result.remaining_open("RE-1") == Money("20.00", "EUR")
    assert result.allocated_to("RE-1") == Money("30.00", "EUR")
    # Written again, it is the current version, and the copies of the items are gone.
    again = dump(account)
    assert again["schema_version"] == SCHEMA_VERSION == 2
    assert "items" not in again["data"]["allocations"][0]
    assert load(again, CustomerAccount) == account
    # The upgraded account still reverses the payment exactly.
    reversed_ = account.reverse("P-1", on=date(2026, 1, 20))
    assert reversed_.items["RE-1"].amount_open == Money("50.00", "EUR")


def test_version_1_data_is_not_changed_by_reading_it() -> None:
    before = repr(ACCOUNT_V1)
    load(ACCOUNT_V1, CustomerAccount)
    assert repr(ACCOUNT_V1) == before


def test_version_1_result_without_the_item_it_settles_is_refused_with_the_path() -> None:
    broken = {**ACCOUNT_V1, "data": {**ACCOUNT_V1["data"]}}
    allocation = {**ACCOUNT_V1["data"]["allocations"][0], "items": []}
    broken["data"]["allocations"] = [allocation]
    with pytest.raises(ValidationError) as caught:
        load(broken, CustomerAccount)
    assert caught.value.field == "account.allocations[0].items"
    assert caught.value.value == "RE-1"


def as_version_1(result: AllocationResult, items: list[OpenItem]) -> dict[str, Any]:
    stored = dump(result)
    data = {key: value for key, value in stored["data"].items() if key != "open_before"}
    data["items"] = [dump(item)["data"] for item in items]
    return {"schema_version": 1, "type": "AllocationResult", "data": data}


@given(s.open_items(key="RE-1"), s.open_items(key="RE-2"), s.open_items(key="RE-3"))
@settings(max_examples=40)
def test_upgrading_a_version_1_result_gives_the_result_allocate_makes_now(
    a: OpenItem, b: OpenItem, c: OpenItem
) -> None:
    items = [a, b, c]
    total = sum(item.open_units for item in items)
    payment = Money.from_minor(max(1, total * 2 // 3), "EUR")
    result = allocate(
        payment, items, strategy=Strategy.OLDEST_FIRST, paid_on=a.due_on, payment_id="P"
    )
    upgraded = load(as_version_1(result, items), AllocationResult)
    assert upgraded == result
    for key in result.open_before:
        assert upgraded.remaining_open(key) == result.remaining_open(key)


def test_account_after_1000_payments_over_200_items_is_below_one_mebibyte() -> None:
    start = date(2026, 1, 1)
    account = CustomerAccount(customer_id="42", currency="EUR")
    for number in range(200):
        amount = Money.from_minor(1_000 + 37 * number, "EUR")
        account = account.add(
            OpenItem.simple(f"RE-{number:04d}", amount, due=start + timedelta(days=number))
        )
    share = sum(item.open_units for item in account.items.values()) // 1_000
    for number in range(1_000):
        result = account.allocate(
            Money.from_minor(share, "EUR"),
            strategy=Strategy.OLDEST_FIRST,
            paid_on=start + timedelta(days=number // 5),
            payment_id=f"P-{number}",
        )
        account = account.apply(result)
    assert len(account.allocations) == 1_000
    text = dumps(account)
    assert len(text.encode("utf-8")) < 1024 * 1024
    assert loads(text, CustomerAccount) == account
