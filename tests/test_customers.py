from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given

from payportal import (
    AccessDeniedError,
    Address,
    BankAccount,
    Company,
    Customer,
    UnknownCurrencyError,
)
from payportal.customers import (
    BANK_DATA,
    CONTACT_DATA,
    TAX_DATA,
    MasterDataChange,
    MasterDataField,
)
from payportal.exceptions import ValidationError
from payportal.testing.strategies import customers

AT = datetime(2026, 5, 1, 12, tzinfo=UTC)


@pytest.fixture
def erika() -> Customer:
    return Customer(
        id="42",
        number="K-42",
        name="Erika Mustermann",
        email="erika@example.org",
        bank_accounts=[BankAccount(iban="DE89370400440532013000", holder="Erika Mustermann")],
        locale="de_DE",
    )


def test_iban_bic_and_vat_id_are_normalised() -> None:
    account = BankAccount(iban="de89 3704 0044 0532 0130 00", bic="cobadeffxxx", holder=" E ")
    assert account.iban == "DE89370400440532013000"
    assert account.bic == "COBADEFFXXX"
    assert account.holder == "E"
    assert account.formatted_iban == "DE89 3704 0044 0532 0130 00"
    c = Customer(id="1", number="1", name="A", vat_id="de 136 695 976")
    assert c.vat_id == "DE136695976"


def test_non_eu_vat_ids_use_their_country_module() -> None:
    assert Customer(id="1", number="1", name="A", vat_id="CHE-107.787.577 IVA").vat_id
    with pytest.raises(ValidationError, match="country"):
        Customer(id="1", number="1", name="A", vat_id="QQ123")


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"iban": "DE89370400440532013001", "holder": "x"}, "iban", "not a valid IBAN"),
        ({"iban": "DE8937", "holder": "x"}, "iban", "not a valid IBAN"),
        ({"iban": "DE89370400440532013000", "holder": ""}, "holder", "must not be empty"),
        ({"iban": "DE89370400440532013000", "holder": "x", "bic": "XX"}, "bic", "BIC"),
        (
            {"iban": "DE89370400440532013000", "holder": "x", "mandate_reference": "a" * 36},
            "mandate_reference",
            "35",
        ),
    ],
)
def test_bad_bank_data_names_the_field(kwargs: dict[str, str], field: str, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        BankAccount(**kwargs)
    assert info.value.field == field
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"vat_id": "DE000000000"}, "vat_id"),
        ({"locale": "xx_QQ"}, "locale"),
        ({"tax_number": 5}, "tax_number"),
        ({"bank_accounts": ["DE89370400440532013000"]}, "bank_accounts[0]"),
    ],
)
def test_bad_customer_data_names_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        Customer(id="1", number="1", name="A", **kwargs)  # type: ignore[arg-type]
    assert info.value.field == field


def test_unknown_currency_and_country() -> None:
    with pytest.raises(UnknownCurrencyError):
        Customer(id="1", number="1", name="A", currency="EURO")
    with pytest.raises(ValidationError) as info:
        Address(street="a", postal_code="1", city="b", country="Germany")
    assert info.value.field == "country"
    assert Address(street="a", postal_code="1", city="b", country="de").country == "DE"


def test_customer_edits_contact_data(erika: Customer) -> None:
    change = MasterDataChange(email="new@example.org", phone="+49 30 1234")
    updated, record = erika.apply_change(change, editable=CONTACT_DATA, at=AT)
    assert updated.email == "new@example.org"
    assert updated.phone == "+49 30 1234"
    assert erika.email == "erika@example.org"  # the original is untouched
    assert [(c.field, c.old, c.new) for c in record.changes] == [
        ("email", "erika@example.org", "new@example.org"),
        ("phone", "", "+49 30 1234"),
    ]
    assert record.at == AT
    assert record.customer_id == "42"
    restored, _ = updated.apply_change(record.revert(), editable=CONTACT_DATA)
    assert restored == erika


def test_unchanged_values_are_not_recorded(erika: Customer) -> None:
    _, record = erika.apply_change(MasterDataChange(email="erika@example.org"), editable=["email"])
    assert not record


def test_editing_a_non_editable_field_is_denied_and_changes_nothing(erika: Customer) -> None:
    change = MasterDataChange(
        email="x@example.org",
        bank_accounts=[BankAccount(iban="GB29NWBK60161331926819", holder="E")],
    )
    with pytest.raises(AccessDeniedError, match="bank_accounts"):
        erika.apply_change(change, editable=CONTACT_DATA)
    assert erika.bank_accounts[0].iban == "DE89370400440532013000"
    updated, record = erika.apply_change(change, editable=CONTACT_DATA | BANK_DATA)
    assert updated.bank_accounts[0].iban == "GB29NWBK60161331926819"
    assert {c.field for c in record.changes} == {"email", "bank_accounts"}


def test_invalid_values_raise_naming_the_field(erika: Customer) -> None:
    with pytest.raises(ValidationError) as info:
        erika.apply_change(MasterDataChange(email="nope"), editable=CONTACT_DATA)
    assert info.value.field == "email"
    with pytest.raises(ValidationError) as info:
        erika.apply_change(MasterDataChange(vat_id="DE1"), editable=TAX_DATA)
    assert info.value.field == "vat_id"


def test_from_dict_names_nested_fields() -> None:
    with pytest.raises(ValidationError) as info:
        MasterDataChange.from_dict(
            {"bank_accounts": [{"iban": "DE89370400440532013001", "holder": "E"}]}
        )
    assert info.value.field == "bank_accounts[0].iban"
    with pytest.raises(ValidationError) as info:
        MasterDataChange.from_dict({"address": {"street": "a", "city": "b", "country": "XX"}})
    assert info.value.field == "address"  # postal_code missing
    with pytest.raises(ValidationError) as info:
        MasterDataChange.from_dict({"id": "43"})
    assert info.value.field == "id"
    with pytest.raises(ValidationError) as info:
        MasterDataChange.from_dict({"bank_accounts": [{"iban": "x", "holder": "E", "pin": 1}]})
    assert info.value.field == "bank_accounts[0].pin"
    change = MasterDataChange.from_dict(
        {"address": {"street": "Weg 2", "postal_code": "1010", "city": "Wien", "country": "AT"}}
    )
    assert change.fields == {MasterDataField.ADDRESS}


def test_editable_names_are_checked(erika: Customer) -> None:
    with pytest.raises(ValidationError) as info:
        erika.apply_change(MasterDataChange(email="a@b.de"), editable=["emial"])
    assert info.value.field == "editable"


def test_naive_change_time_is_refused(erika: Customer) -> None:
    with pytest.raises(ValidationError) as info:
        erika.apply_change(
            MasterDataChange(phone="1"),
            editable=CONTACT_DATA,
            at=datetime(2026, 1, 1),
        )
    assert info.value.field == "at"


@given(customers())
def test_generated_customers_survive_a_no_op_change(customer: Customer) -> None:
    updated, record = customer.apply_change(
        MasterDataChange(email=customer.email), editable=CONTACT_DATA
    )
    assert updated == customer
    assert not record.changes


def test_company_validates_its_bank_accounts_and_vat_id() -> None:
    acme = Company(
        name=" ACME GmbH ",
        bank_accounts=[BankAccount(iban="DE89370400440532013000", holder="ACME GmbH")],
        vat_id="DE136695976",
    )
    assert acme.name == "ACME GmbH"
    with pytest.raises(ValidationError) as info:
        Company(name="ACME", vat_id="DE1")
    assert info.value.field == "vat_id"


# --- hostile master data (issue 26) ---------------------------------------------------------

VALID_EMAILS = [
    "erika@example.org",
    "Erika.Mustermann+rechnung@mail.example.co.uk",
    "a!#$%&'*/=?^_`{|}~-@example.org",
    "x@xn--mller-kva.example",
    f"{'a' * 64}@example.org",
]

INVALID_EMAILS = [
    "<x>@y.z",  # the audited case: markup before the @
    "x@y",  # no dot in the domain
    "x@-y.org",
    "x@y-.org",
    "x@y..org",
    "x@müller.example",
    ".x@y.org",
    "x.@y.org",
    "x..y@y.org",
    f"{'a' * 65}@example.org",
    f"x@{'a' * 63}.{'b' * 63}.{'c' * 63}.{'d' * 62}.org",  # longer than 254
    '"quoted"@y.org',
    "x y@y.org",
    "x@y.org\nBcc: all@y.org",
    "x@y.org>",
    "@y.org",
    "x@",
    "x",
    "x@[127.0.0.1]",
]


@pytest.mark.parametrize("address", VALID_EMAILS)
def test_an_email_address_a_browser_form_accepts_is_kept(address: str) -> None:
    assert Customer(id="1", number="K-1", name="A", email=address).email == address


@pytest.mark.parametrize("address", INVALID_EMAILS)
def test_an_email_address_no_mail_server_takes_is_refused_naming_the_field(address: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Customer(id="1", number="K-1", name="A", email=address)
    assert caught.value.field == "email"
    with pytest.raises(ValidationError) as caught:
        Company(name="A", email=address)
    assert caught.value.field == "email"


SINGLE_LINE_FIELDS = ["name", "company", "contact_person", "phone", "tax_number", "number"]


@pytest.mark.parametrize("field", SINGLE_LINE_FIELDS)
@pytest.mark.parametrize(
    "bad", ["Erika\nBcc: x", "Erika\tM", "Erika\x00", "Erika\x7f", "Eri\u202eka", "Eri\u2028ka"]
)
def test_control_characters_in_a_single_line_field_are_refused_naming_it(
    field: str, bad: str
) -> None:
    values = {"id": "1", "number": "K-1", "name": "A", field: bad}
    with pytest.raises(ValidationError, match="single line") as caught:
        Customer(**values)
    assert caught.value.field == field


def test_a_lone_surrogate_is_refused_before_it_breaks_an_encoder() -> None:
    with pytest.raises(ValidationError, match="U\\+D800"):
        Customer(id="1", number="K-1", name="Eri\ud800ka")


@pytest.mark.parametrize(
    ("kind", "values", "field"),
    [
        (Customer, {"id": "1", "number": "K-1", "name": "x" * 201}, "name"),
        (Customer, {"id": "1", "number": "K-1", "name": "A", "phone": "1" * 51}, "phone"),
        (Customer, {"id": "x" * 201, "number": "K-1", "name": "A"}, "id"),
        (
            Address,
            {"street": "s" * 201, "postal_code": "1", "city": "B", "country": "DE"},
            "street",
        ),
        (Address, {"street": "s", "postal_code": "1", "city": "B\nX", "country": "DE"}, "city"),
        (
            Address,
            {"street": "s", "postal_code": "1" * 21, "city": "B", "country": "DE"},
            "postal_code",
        ),
        (BankAccount, {"iban": "DE89370400440532013000", "holder": "h" * 71}, "holder"),
        (BankAccount, {"iban": "DE89370400440532013000", "holder": "Erika\r\n"}, None),
        (Company, {"name": "A\nB"}, "name"),
        (Company, {"name": "A", "register_entry": "HRB\x0b1"}, "register_entry"),
    ],
)
def test_lengths_are_bounded_and_each_refusal_names_its_field(
    kind: type, values: dict[str, str], field: str | None
) -> None:
    if field is None:  # trailing line breaks are white space around the value: stripped
        assert kind(**values).holder == "Erika"
        return
    with pytest.raises(ValidationError) as caught:
        kind(**values)
    assert caught.value.field == field


def test_a_change_with_a_control_character_names_the_nested_field(erika: Customer) -> None:
    with pytest.raises(ValidationError) as caught:
        MasterDataChange.from_dict(
            {"address": {"street": "Weg 1", "postal_code": "5", "city": "Köln\nX", "country": "DE"}}
        )
    assert caught.value.field == "address.city"
    with pytest.raises(ValidationError) as caught:
        erika.apply_change(MasterDataChange(name="Erika\x1b[31m"), editable=CONTACT_DATA)
    assert caught.value.field == "name"


@pytest.mark.parametrize("data", [None, "name=x", ["name"], 42, b"{}"])
def test_a_change_from_something_other_than_a_mapping_is_a_validation_error(data: object) -> None:
    with pytest.raises(ValidationError) as caught:
        MasterDataChange.from_dict(data)  # type: ignore[arg-type]
    assert caught.value.field == "data"


@pytest.mark.parametrize("key", ["", " ", "1x", None])
def test_an_unknown_odd_key_is_still_named_in_the_error(key: object) -> None:
    # Found by tests/fuzz/test_fuzz_master_data.py: {"": None} gave an error naming no field.
    with pytest.raises(ValidationError, match="is not a master data field") as caught:
        MasterDataChange.from_dict({key: None})  # type: ignore[dict-item]
    assert caught.value.field == repr(key)
    assert str(caught.value).startswith(repr(key))


@pytest.mark.parametrize(
    ("kind", "values", "field"),
    [
        (BankAccount, {"iban": "DE" + "1" * 200_000, "holder": "Erika"}, "iban"),
        (BankAccount, {"iban": "DE89370400440532013000", "holder": "E", "bic": "C" * 101}, "bic"),
        (
            Customer,
            {"id": "1", "number": "K-1", "name": "A", "vat_id": "DE" + "1" * 200_000},
            "vat_id",
        ),
    ],
)
def test_an_overlong_identifier_is_refused_before_python_stdnum_reads_it(
    kind: type, values: dict[str, str], field: str
) -> None:
    # Found while fuzzing with big inputs: stdnum took seconds over a million digits.
    with pytest.raises(ValidationError, match="longer than 100 characters") as caught:
        kind(**values)
    assert caught.value.field == field
