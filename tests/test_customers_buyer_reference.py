"""Customer.buyer_reference: the Leitweg-ID (EN 16931 BT-10) as master data."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from payportal import AccessDeniedError, Customer, MasterDataChange, ValidationError
from payportal.customers import CONTACT_DATA, TAX_DATA, MasterDataField
from payportal.serialization import dump, dumps, load, loads

ERIKA = Customer(id="42", number="K-42", name="Erika")


def test_the_buyer_reference_is_empty_by_default_and_stripped() -> None:
    assert ERIKA.buyer_reference == ""
    assert Customer(id="1", number="K", name="E", buyer_reference=" 991-1-2 ").buyer_reference == (
        "991-1-2"
    )


@pytest.mark.parametrize("bad", ["a\nb", "x" * 101, 42])
def test_a_bad_buyer_reference_is_named(bad: object) -> None:
    with pytest.raises(ValidationError) as caught:
        Customer(id="1", number="K", name="E", buyer_reference=bad)  # type: ignore[arg-type]
    assert caught.value.field == "buyer_reference"


def test_customers_edit_it_as_tax_data() -> None:
    assert MasterDataField.BUYER_REFERENCE in TAX_DATA
    change = MasterDataChange.from_dict({"buyer_reference": "04011000-12345-34"})
    updated, record = ERIKA.apply_change(change, editable=TAX_DATA)
    assert updated.buyer_reference == "04011000-12345-34"
    assert [(c.field, c.old, c.new) for c in record.changes] == [
        ("buyer_reference", "", "04011000-12345-34")
    ]
    restored, _ = updated.apply_change(record.revert(), editable=TAX_DATA)
    assert restored == ERIKA


def test_it_is_not_editable_as_contact_data() -> None:
    with pytest.raises(AccessDeniedError, match="may not edit buyer_reference"):
        ERIKA.apply_change(MasterDataChange(buyer_reference="x"), editable=CONTACT_DATA)


def test_stored_customers_without_the_field_still_load() -> None:
    # Records written before the field existed: the loader fills in the default. (A field at
    # its default is not written either, so a stored record looks the same as an old one.)
    data = dump(ERIKA)
    assert "buyer_reference" not in data["data"]
    assert load(data, Customer) == ERIKA
    with_reference = dump(attrs.evolve(ERIKA, buyer_reference="04011000-12345-34"))
    assert with_reference["data"]["buyer_reference"] == "04011000-12345-34"


@given(st.text(st.characters(categories=["L", "N", "Pd"]), max_size=100))
def test_the_buyer_reference_survives_serialisation(reference: str) -> None:
    customer = Customer(id="1", number="K", name="E", buyer_reference=reference)
    assert loads(dumps(customer), Customer) == customer
    change = MasterDataChange(buyer_reference=reference)
    assert loads(dumps(change), MasterDataChange) == change
