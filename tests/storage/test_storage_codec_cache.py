"""The storage codec's decoded-record cache: shared models only for the very same text."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from payportal import Money
from payportal.accounts import CustomerAccount, OpenItem
from payportal.documents import Invoice, LineItem
from payportal.exceptions import CorruptRecordError
from payportal.storage import _codec
from payportal.storage._codec import clear_cache, decode, encode


def invoice(number: str = "RE-1") -> Invoice:
    return Invoice(
        id=f"inv-{number}",
        number=number,
        customer_id="42",
        issued_on=date(2026, 2, 1),
        due_on=date(2026, 2, 15),
        lines=[
            LineItem(
                title="Print", quantity=1, unit_price=Money("10.00", "EUR"), tax_rate=Decimal(19)
            )
        ],
    )


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_cache()
    yield
    clear_cache()


def test_the_same_text_decodes_to_the_model_written():
    document = invoice()
    body, stored = encode(document)
    assert decode(body, stored, Invoice, "doc") is document
    clear_cache()
    loaded = decode(body, stored, Invoice, "doc")
    assert loaded == document
    assert loaded is not document
    # Read once, kept: the next load shares it.
    assert decode(body, stored, Invoice, "doc") is loaded


def test_a_damaged_row_is_still_reported():
    body, stored = encode(invoice())
    with pytest.raises(CorruptRecordError, match="does not match its checksum"):
        decode(body, "00000000", Invoice, "doc")
    changed = body.replace("RE-1", "RE-2")
    with pytest.raises(CorruptRecordError):
        decode(changed, stored, Invoice, "doc")


def test_a_kept_model_of_another_type_is_not_returned():
    body, stored = encode(invoice())
    with pytest.raises(CorruptRecordError):
        decode(body, stored, CustomerAccount, "account")


def test_unregistered_types_are_not_shared():
    data = {"a": 1}
    body, stored = _codec.encode_json(data)
    assert _codec.decode_json(body, stored, "x") is not _codec.decode_json(body, stored, "x")
    account = CustomerAccount(customer_id="42", currency="EUR").add(
        OpenItem.simple("RE-1", Money("10.00", "EUR"), due=date(2026, 3, 1))
    )
    assert _codec._cacheable(CustomerAccount)
    assert not _codec._cacheable(dict)
    body, stored = encode(account)
    assert decode(body, stored, CustomerAccount, "account") is account


def test_the_cache_is_bounded(monkeypatch):
    monkeypatch.setattr(_codec, "CACHE_SIZE", 2)
    first, second, third = invoice("RE-1"), invoice("RE-2"), invoice("RE-3")
    encoded = [encode(d) for d in (first, second, third)]
    assert len(_codec._CACHE) == 2
    assert decode(*encoded[0], Invoice, "doc") is not first  # the oldest was dropped
    assert decode(*encoded[2], Invoice, "doc") is third


def test_a_body_written_again_is_the_newest(monkeypatch):
    monkeypatch.setattr(_codec, "CACHE_SIZE", 2)
    first, second, third = invoice("RE-1"), invoice("RE-2"), invoice("RE-3")
    kept = encode(first)
    encode(second)
    assert encode(first) == kept  # written again: now newer than the second
    newest = encode(third)
    assert list(_codec._CACHE) == [kept[0], newest[0]]  # the second was dropped
    assert decode(*kept, Invoice, "doc") is first
