"""Every model round-trips through its stored form: load(dump(x)) == x, as data and as text."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from payportal import Money
from payportal.serialization import SCHEMA_VERSION, dump, dumps, load, loads
from payportal.serialization._converter import MODELS
from payportal.testing import strategies as s


def parts(obj: object) -> Iterator[object]:
    """``obj`` and every model inside it (fields, tuples, mappings), depth first."""
    if isinstance(obj, Money) or attrs.has(type(obj)):
        yield obj
    if attrs.has(type(obj)):
        for field in attrs.fields(type(obj)):
            if field.eq:
                yield from parts(getattr(obj, field.name))
    elif isinstance(obj, tuple | list | frozenset):
        for item in obj:
            yield from parts(item)
    elif isinstance(obj, Mapping):
        for item in obj.values():
            yield from parts(item)


def within(source: st.SearchStrategy[Any], kind: type) -> st.SearchStrategy[Any]:
    """Instances of ``kind`` found inside what ``source`` draws."""
    return (
        source.map(lambda obj: [p for p in parts(obj) if type(p) is kind])
        .filter(bool)
        .flatmap(st.sampled_from)
    )


DOCUMENTS = s.documents()
ACCOUNTS = s.accounts()
CHANGES = s.change_records()

STRATEGIES: dict[str, st.SearchStrategy[Any]] = {
    "Money": s.money(),
    "Address": s.addresses(),
    "BankAccount": within(s.customers(), MODELS["BankAccount"]),
    "Customer": s.customers(),
    "Company": s.companies(),
    "MasterDataChange": s.master_data_changes(),
    "FieldChange": within(CHANGES, MODELS["FieldChange"]),
    "ChangeRecord": CHANGES,
    "LineItem": within(DOCUMENTS, MODELS["LineItem"]),
    "TaxLine": DOCUMENTS.map(lambda d: d.totals.taxes).filter(bool).flatmap(st.sampled_from),
    "Totals": DOCUMENTS.map(lambda d: d.totals),
    "Comment": s.comments(),
    "CashDiscount": within(s.invoices().flatmap(s._invoice_extras), MODELS["CashDiscount"]),
    "RemindedInvoice": within(s.reminders(), MODELS["RemindedInvoice"]),
    "Invoice": s.invoices().flatmap(s._invoice_extras),
    "Reminder": s.reminders(),
    "CreditNote": s.credit_notes(),
    "Offer": s.offers(),
    "DeliveryNote": s.delivery_notes(),
    "OrderConfirmation": s.order_confirmations(),
    "Component": within(s.open_items(), MODELS["Component"]),
    "OpenItem": s.open_items(),
    "TopUp": within(s.prepaid_accounts(), MODELS["TopUp"]),
    "PrepaidAccount": s.prepaid_accounts(),
    "LedgerEntry": within(ACCOUNTS, MODELS["LedgerEntry"]),
    "RefundRequest": within(ACCOUNTS, MODELS["RefundRequest"]),
    "AccountStatementLine": within(s.account_statements(), MODELS["AccountStatementLine"]),
    "AccountStatement": s.account_statements(),
    "CustomerAccount": ACCOUNTS,
    "AllocationLine": within(s.allocation_results(), MODELS["AllocationLine"]),
    "Tolerance": s.tolerances(),
    "AllocationResult": s.allocation_results(),
    "Reversal": s.reversals(),
    "PaymentRequest": s.payment_requests(),
    "Refund": within(s.payments(), MODELS["Refund"]),
    "Payment": s.payments(),
    "WebhookEvent": s.webhook_events(),
    "Capabilities": s.capabilities(),
    "LinkClaims": s.link_claims(),
    "StatementEntry": s.statement_entries(),
    "Statement": s.statements(),
}


def test_every_storable_model_has_a_round_trip_strategy() -> None:
    assert set(STRATEGIES) == set(MODELS)


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_load_of_dump_is_the_same_model(name: str) -> None:
    @settings(max_examples=15)
    @given(STRATEGIES[name])
    def round_trip(obj: object) -> None:
        assert type(obj) is MODELS[name]
        data = dump(obj)
        assert data["schema_version"] == SCHEMA_VERSION
        assert data["type"] == name
        # JSON-compatible: the text form reads back as the same data.
        assert json.loads(json.dumps(data)) == data
        assert load(data, MODELS[name]) == obj
        assert loads(dumps(obj), MODELS[name]) == obj

    round_trip()


@given(DOCUMENTS)
@settings(max_examples=25)
def test_any_document_loads_as_document_and_keeps_its_type(document: Any) -> None:
    from payportal.documents import Document  # noqa: PLC0415

    back = loads(dumps(document), Document)
    assert type(back) is type(document)
    assert back == document


@given(ACCOUNTS)
@settings(max_examples=25)
def test_money_is_never_written_as_a_number(account: Any) -> None:
    def walk(value: object) -> Iterator[object]:
        if isinstance(value, dict):
            if set(value) == {"amount", "currency"}:
                yield value["amount"]
            for item in value.values():
                yield from walk(item)
        elif isinstance(value, list):
            for item in value:
                yield from walk(item)

    amounts = list(walk(dump(account)))
    assert amounts
    assert all(isinstance(amount, str) for amount in amounts)
