"""The master data form: from a customer to form values, and from a posted form to a change.

Only the fields present in the posted form become part of the change, so a field the page
does not offer (because the merchant did not make it editable) is refused by
:meth:`payportal.Customer.apply_change` if someone posts it anyway.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from payportal.customers import MasterDataChange

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from payportal.customers import Customer, MasterDataField

__all__ = [
    "ADDRESS_FIELDS",
    "BANK_FIELDS",
    "TEXT_FIELDS",
    "editable_form_fields",
    "master_data_change",
    "profile_values",
]

TEXT_FIELDS: Final = ("name", "company", "contact_person", "email", "phone", "locale", "vat_id")
"""Form fields that map one to one onto :class:`~payportal.customers.MasterDataChange`."""

ADDRESS_FIELDS: Final = ("street", "postal_code", "city", "country")
"""Form fields of the postal address (``address`` in the change)."""

BANK_FIELDS: Final = ("iban", "holder")
"""Form fields of the first bank account (``bank_accounts`` in the change)."""

_FORM_FIELDS: Final = {"address": ADDRESS_FIELDS, "bank_accounts": BANK_FIELDS}

_OPTIONAL: Final = frozenset({"email", "vat_id"})  # blank means "none", not ""


def editable_form_fields(editable: Iterable[MasterDataField]) -> frozenset[str]:
    """The form fields that edit the ``editable`` master data fields."""
    names: set[str] = set()
    for field in editable:
        names |= set(_FORM_FIELDS.get(field.value, (field.value,)))
    return frozenset(names)


def profile_values(customer: Customer) -> dict[str, str]:
    """The form's initial values for ``customer``."""
    values = {name: str(getattr(customer, name) or "") for name in TEXT_FIELDS}
    if customer.address is not None:
        values |= {name: getattr(customer.address, name) for name in ADDRESS_FIELDS}
    if customer.bank_accounts:
        first = customer.bank_accounts[0]
        values |= {"iban": first.formatted_iban, "holder": first.holder}
    return values


def _same_account(posted: Mapping[str, str], customer: Customer) -> bool:
    # An unchanged account is left out of the change, so its SEPA mandate stays attached.
    if not customer.bank_accounts:
        return False
    first = customer.bank_accounts[0]
    iban = "".join(posted["iban"].split()).upper()
    return iban == first.iban and posted["holder"] == first.holder


def master_data_change(form: Mapping[str, str], customer: Customer) -> MasterDataChange:
    """The change a posted form asks for.

    The address is replaced as a whole, the first bank account is replaced and the others
    are kept.

    Raises:
        ValidationError: a value is invalid; the field names the form field's path.
    """
    data: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        if name in form:
            value = form[name].strip()
            data[name] = None if name in _OPTIONAL and not value else value
    if any(name in form for name in ADDRESS_FIELDS):
        data["address"] = {name: form.get(name, "") for name in ADDRESS_FIELDS}
    if any(name in form for name in BANK_FIELDS):
        first = {name: form.get(name, "").strip() for name in BANK_FIELDS}
        if not _same_account(first, customer):
            data["bank_accounts"] = [first, *customer.bank_accounts[1:]]
    return MasterDataChange.from_dict(data)
