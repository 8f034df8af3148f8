"""Customers, their master data, and the changes they make to it through the portal.

Bank and tax identifiers are validated and normalised with python-stdnum, so an IBAN typed
as ``de89 3704 0044 0532 0130 00`` is stored as ``DE89370400440532013000``:

>>> account = BankAccount(iban="de89 3704 0044 0532 0130 00", holder="Erika Mustermann")
>>> account.iban
'DE89370400440532013000'

Customers correct their own data with a :class:`MasterDataChange`; the merchant decides which
groups of fields are editable:

>>> customer = Customer(id="42", number="K-1042", name="Erika Mustermann", locale="de_DE")
>>> updated, record = customer.apply_change(
...     MasterDataChange(email="erika@example.org"), editable=CONTACT_DATA)
>>> updated.email, [c.field for c in record.changes]
('erika@example.org', ['email'])
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Final

import attrs
import babel
import stdnum.bic
import stdnum.eu.vat
import stdnum.exceptions
import stdnum.iban
import stdnum.util

from payportal import _validators as v
from payportal._money import is_currency, parse_locale
from payportal.exceptions import AccessDeniedError, UnknownCurrencyError, ValidationError

if TYPE_CHECKING:
    from types import ModuleType

__all__ = [
    "BANK_DATA",
    "CONTACT_DATA",
    "TAX_DATA",
    "UNSET",
    "Address",
    "BankAccount",
    "ChangeRecord",
    "Company",
    "Customer",
    "FieldChange",
    "MasterDataChange",
    "MasterDataField",
    "MasterDataGroup",
]


# IBANs have at most 34 characters and VAT IDs about 15; with the spaces and dots people
# type, 100 is generous.
_MAX_IDENTIFIER: Final = 100


def compact_identifier(module: ModuleType, what: str, field: str, value: object) -> str:
    """``value`` validated with the python-stdnum ``module`` (``stdnum.iban``,
    ``stdnum.bic``, ``stdnum.eu.at_02`` ...) and in its compact form; for the domain
    packages that check bank identifiers (customers, mandates).

    Raises:
        ValidationError: ``value`` is not a string, is longer than any such identifier, or
            fails ``module``'s check (the reason is python-stdnum's).
    """
    if not isinstance(value, str):
        raise ValidationError(f"must be a {what} string", field=field, value=value)
    if len(value) > _MAX_IDENTIFIER:
        # python-stdnum's work grows with the input; no bank identifier comes near this.
        raise ValidationError(
            f"is not a valid {what}: longer than {_MAX_IDENTIFIER} characters",
            field=field,
            value=value,
        )
    try:
        return str(module.validate(value))
    except stdnum.exceptions.ValidationError as exc:
        raise ValidationError(f"is not a valid {what}: {exc}", field=field, value=value) from None


def _stdnum(module: ModuleType, what: str, field: str, value: object) -> str | None:
    """:func:`compact_identifier`, with ``None`` for an identifier not given."""
    return None if value is None else compact_identifier(module, what, field, value)


def _iban(value: object) -> str:
    return _stdnum(stdnum.iban, "IBAN", "iban", value) or ""


def _bic(value: object) -> str | None:
    return _stdnum(stdnum.bic, "BIC", "bic", value)


def _vat_id(value: object) -> str | None:
    """EU VAT IDs through ``stdnum.eu.vat``; other countries through their own stdnum module."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError("must be a VAT ID string", field="vat_id", value=value)
    if len(value) > _MAX_IDENTIFIER:
        raise ValidationError(
            f"is not a valid VAT ID: longer than {_MAX_IDENTIFIER} characters",
            field="vat_id",
            value=value,
        )
    compact = str(stdnum.util.clean(value, " -./")).upper().strip()
    country = compact[:2].lower()
    module: Any = stdnum.eu.vat
    if country not in stdnum.eu.vat.MEMBER_STATES:
        try:
            module = stdnum.util.get_cc_module(country, "vat")
        except (ImportError, ValueError):
            module = None
        if module is None:
            raise ValidationError(
                "is not a VAT ID of a country python-stdnum knows (it must start with the "
                "two-letter country code)",
                field="vat_id",
                value=value,
            )
        compact = compact[2:] if country != "ch" else compact
    try:
        validated = str(module.validate(compact))
    except stdnum.exceptions.ValidationError as exc:
        raise ValidationError(
            f"is not a valid VAT ID: {exc}", field="vat_id", value=value
        ) from None
    return validated if validated[:2].isalpha() else country.upper() + validated


def _locale_id(value: object) -> str:
    if isinstance(value, babel.Locale):
        return str(value)
    if not isinstance(value, str):
        raise ValidationError("must be a locale identifier", field="locale", value=value)
    return str(parse_locale(value))


def _currency(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not is_currency(value):
        raise UnknownCurrencyError(
            "is not a known ISO 4217 currency code", field=attribute.name, value=value
        )


def _country(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or len(value) != 2 or value not in babel.Locale("en").territories:
        raise ValidationError(
            "must be an ISO 3166-1 alpha-2 country code such as 'DE'",
            field=attribute.name,
            value=value,
        )


def _upper(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


# Length limits of the single-line fields: generous for people, within what mail headers,
# letter windows and banks take (a SEPA account holder name is at most 70 characters).
_ID: Final = 200
_NAME: Final = 200
_HOLDER: Final = 70
_PHONE: Final = 50
_TAX_NUMBER: Final = 50
_BUYER_REFERENCE: Final = 100
_ADDRESS_LINE: Final = 200
_POSTAL_CODE: Final = 20
_CITY: Final = 100
_line = v.single_line


# SEPA mandate references: 1 to 35 characters from the SEPA Latin subset.
_MANDATE = re.compile(r"^[A-Za-z0-9/\-?:().,'+ ]{1,35}$")


def _mandate(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, str) or not _MANDATE.match(value)):
        raise ValidationError(
            "must be 1 to 35 characters of letters, digits and / - ? : ( ) . , ' + space",
            field=attribute.name,
            value=value,
        )


@attrs.frozen
class Address:
    """A postal address. ``country`` is an ISO 3166-1 alpha-2 code such as ``"DE"``."""

    street: str = attrs.field(converter=v.strip, validator=_line(_ADDRESS_LINE, required=True))
    postal_code: str = attrs.field(converter=v.strip, validator=_line(_POSTAL_CODE))
    city: str = attrs.field(converter=v.strip, validator=_line(_CITY, required=True))
    country: str = attrs.field(converter=_upper, validator=_country)
    addition: str = attrs.field(default="", converter=v.strip, validator=_line(_ADDRESS_LINE))
    region: str = attrs.field(default="", converter=v.strip, validator=_line(_CITY))

    def lines(self) -> list[str]:
        """The address as lines for a letter window or an e-mail signature."""
        lines = [self.street]
        if self.addition:
            lines.append(self.addition)
        lines.append(f"{self.postal_code} {self.city}".strip())
        if self.region:
            lines.append(self.region)
        lines.append(self.country)
        return lines


@attrs.frozen
class BankAccount:
    """A bank account for refunds and SEPA direct debits.

    ``iban`` and ``bic`` are validated and stored compact and upper case.
    """

    iban: str = attrs.field(converter=_iban)
    holder: str = attrs.field(converter=v.strip, validator=_line(_HOLDER, required=True))
    bic: str | None = attrs.field(default=None, converter=_bic)
    mandate_reference: str | None = attrs.field(default=None, validator=_mandate)
    mandate_signed_on: date | None = attrs.field(default=None, validator=v.optional_date)

    @property
    def formatted_iban(self) -> str:
        """The IBAN in groups of four, as printed on invoices."""
        return str(stdnum.iban.format(self.iban))


@attrs.frozen
class Customer:
    """A customer of the merchant, as the portal sees them.

    ``link_version`` is the counter behind "regenerate link": links signed with an older
    version stop working once it is incremented.

    ``buyer_reference`` is what the customer wants quoted on their e-invoices (EN 16931
    BT-10); for German public buyers it is the Leitweg-ID, such as ``"04011000-12345-06"``,
    which XRechnung requires. :mod:`payportal.einvoice` writes it unless the
    :class:`~payportal.einvoice.EInvoice` names another.

    Text fields are single lines (no control characters, line breaks or bidirectional
    overrides) of bounded length; ``email`` must be an address a browser form and a mail
    server accept (:func:`payportal._validators.email_problem`).

    Raises:
        ValidationError: a field is invalid; ``field`` names it.
    """

    id: str = attrs.field(validator=_line(_ID, required=True))
    number: str = attrs.field(converter=v.strip, validator=_line(_ID, required=True))
    name: str = attrs.field(converter=v.strip, validator=_line(_NAME, required=True))
    company: str = attrs.field(default="", converter=v.strip, validator=_line(_NAME))
    contact_person: str = attrs.field(default="", converter=v.strip, validator=_line(_NAME))
    email: str | None = attrs.field(default=None, converter=v.strip, validator=v.optional(v.email))
    phone: str = attrs.field(default="", converter=v.strip, validator=_line(_PHONE))
    address: Address | None = attrs.field(
        default=None, validator=v.optional(v.instance_of(Address, "an Address"))
    )
    bank_accounts: tuple[BankAccount, ...] = attrs.field(
        default=(), converter=v.to_tuple, validator=v.items_of(BankAccount, "a BankAccount")
    )
    vat_id: str | None = attrs.field(default=None, converter=_vat_id)
    tax_number: str = attrs.field(default="", converter=v.strip, validator=_line(_TAX_NUMBER))
    locale: str = attrs.field(default="en", converter=_locale_id)
    currency: str = attrs.field(default="EUR", converter=_upper, validator=_currency)
    link_version: int = attrs.field(
        default=1, validator=v.instance_of(int, "an int link version counter")
    )
    buyer_reference: str = attrs.field(
        default="", converter=v.strip, validator=_line(_BUYER_REFERENCE)
    )

    @property
    def subject(self) -> str:
        """What a portal link to this customer opens: ``"customer:<id>"``."""
        return f"customer:{self.id}"

    @property
    def display_name(self) -> str:
        """The company name for business customers, else the person's name."""
        return self.company or self.name

    def apply_change(
        self,
        change: MasterDataChange,
        *,
        editable: Iterable[MasterDataField | str],
        at: datetime | None = None,
    ) -> tuple[Customer, ChangeRecord]:
        """Apply a customer's own correction of their master data.

        Args:
            change: the fields the customer submitted.
            editable: the fields the merchant lets customers edit, usually a union of
                :data:`CONTACT_DATA`, :data:`BANK_DATA` and :data:`TAX_DATA`.
            at: when the change was made (timezone-aware), recorded on the change record.

        Returns:
            The updated customer and a :class:`ChangeRecord` with old and new values of every
            field that actually changed. This customer object is never modified.

        Raises:
            AccessDeniedError: the change touches a field that is not editable.
            ValidationError: a new value is invalid; ``field`` names it.
        """
        allowed = _field_set(editable, "editable")
        touched = change.fields
        denied = touched - allowed
        if denied:
            names = ", ".join(sorted(f.value for f in denied))
            raise AccessDeniedError(
                f"customer {self.id!r} may not edit {names}: the merchant has not made "
                f"{'this field' if len(denied) == 1 else 'these fields'} editable in the portal"
            )
        if at is not None:
            v.check_aware(at, "at")
        updates = change.values()
        updated = attrs.evolve(self, **updates)
        changes = tuple(
            FieldChange(field=name, old=getattr(self, name), new=getattr(updated, name))
            for name in sorted(updates)
            if getattr(self, name) != getattr(updated, name)
        )
        return updated, ChangeRecord(customer_id=self.id, changes=changes, at=at)


class MasterDataField(enum.Enum):
    """The fields of :class:`Customer` that customers may be allowed to edit."""

    NAME = "name"
    COMPANY = "company"
    CONTACT_PERSON = "contact_person"
    EMAIL = "email"
    PHONE = "phone"
    ADDRESS = "address"
    LOCALE = "locale"
    BANK_ACCOUNTS = "bank_accounts"
    VAT_ID = "vat_id"
    TAX_NUMBER = "tax_number"
    BUYER_REFERENCE = "buyer_reference"


CONTACT_DATA: Final = frozenset(
    {
        MasterDataField.NAME,
        MasterDataField.COMPANY,
        MasterDataField.CONTACT_PERSON,
        MasterDataField.EMAIL,
        MasterDataField.PHONE,
        MasterDataField.ADDRESS,
        MasterDataField.LOCALE,
    }
)
"""Name, company, contact person, e-mail, phone, postal address and language."""

BANK_DATA: Final = frozenset({MasterDataField.BANK_ACCOUNTS})
"""Bank accounts, including SEPA mandate references."""

TAX_DATA: Final = frozenset(
    {MasterDataField.VAT_ID, MasterDataField.TAX_NUMBER, MasterDataField.BUYER_REFERENCE}
)
"""VAT ID, tax number and the buyer reference (Leitweg-ID) for e-invoices."""


class MasterDataGroup(enum.Enum):
    """The groups of master data a merchant lets customers edit in the portal.

    Each group stands for a set of :class:`MasterDataField` members (:attr:`fields`):
    ``CONTACT`` is :data:`CONTACT_DATA`, ``BANK`` is :data:`BANK_DATA` and ``TAX`` is
    :data:`TAX_DATA`.

    >>> sorted(f.value for f in MasterDataGroup.TAX.fields)
    ['buyer_reference', 'tax_number', 'vat_id']
    >>> MasterDataGroup.of(MasterDataField.EMAIL)
    <MasterDataGroup.CONTACT: 'contact'>
    """

    CONTACT = "contact"
    """Name, company, contact person, e-mail, phone, postal address and language."""
    BANK = "bank"
    """Bank accounts, including SEPA mandate references."""
    TAX = "tax"
    """VAT ID, tax number and the buyer reference (Leitweg-ID) for e-invoices."""

    @property
    def fields(self) -> frozenset[MasterDataField]:
        """The fields of this group."""
        return _GROUP_FIELDS[self]

    @property
    def label(self) -> str:
        """A name for settings pages and error messages: ``"contact data"``..."""
        return _GROUP_LABELS[self]

    @classmethod
    def of(cls, field: MasterDataField) -> MasterDataGroup:
        """The group ``field`` belongs to (every field belongs to exactly one)."""
        return next(group for group in cls if field in group.fields)


_GROUP_FIELDS: Final = {
    MasterDataGroup.CONTACT: CONTACT_DATA,
    MasterDataGroup.BANK: BANK_DATA,
    MasterDataGroup.TAX: TAX_DATA,
}
_GROUP_LABELS: Final = {
    MasterDataGroup.CONTACT: "contact data",
    MasterDataGroup.BANK: "bank data",
    MasterDataGroup.TAX: "tax data",
}


def _field_set(fields: Iterable[MasterDataField | str], name: str) -> frozenset[MasterDataField]:
    if isinstance(fields, str):
        fields = [fields]
    result = set()
    for item in fields:
        if isinstance(item, MasterDataField):
            result.add(item)
            continue
        try:
            result.add(MasterDataField(item))
        except ValueError:
            known = ", ".join(f.value for f in MasterDataField)
            raise ValidationError(
                f"names a field customers cannot edit (known: {known})", field=name, value=item
            ) from None
    return frozenset(result)


class _Unset(enum.Enum):
    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset.UNSET
"""Marks a field of :class:`MasterDataChange` that the customer did not submit."""


def _accounts_or_unset(
    value: Iterable[BankAccount] | _Unset,
) -> tuple[BankAccount, ...] | _Unset:
    return value if isinstance(value, _Unset) else v.to_tuple(value)


@attrs.frozen
class MasterDataChange:
    """A partial set of master data fields a customer submitted; unset fields stay as they are.

    Values are validated when the change is applied to a customer, where the error can name
    the customer's field. :meth:`from_dict` builds a change from form or JSON data.
    """

    name: str | _Unset = UNSET
    company: str | _Unset = UNSET
    contact_person: str | _Unset = UNSET
    email: str | _Unset | None = UNSET
    phone: str | _Unset = UNSET
    address: Address | _Unset | None = UNSET
    locale: str | _Unset = UNSET
    bank_accounts: tuple[BankAccount, ...] | _Unset = attrs.field(
        default=UNSET, converter=_accounts_or_unset
    )
    vat_id: str | _Unset | None = UNSET
    tax_number: str | _Unset = UNSET
    buyer_reference: str | _Unset = UNSET

    @property
    def fields(self) -> frozenset[MasterDataField]:
        """The fields this change sets."""
        return frozenset(f for f in MasterDataField if getattr(self, f.value) is not UNSET)

    def values(self) -> dict[str, Any]:
        """The submitted values by field name."""
        return {f.value: getattr(self, f.value) for f in self.fields}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MasterDataChange:
        """Build a change from submitted form or JSON data.

        Nested ``address`` and ``bank_accounts`` entries may be mappings; errors in them name
        the full path, such as ``bank_accounts[0].iban``.

        Raises:
            ValidationError: an unknown field, or an invalid nested value.
        """
        if not isinstance(data, Mapping):
            raise ValidationError(
                "must be a mapping of field names to values", field="data", value=data
            )
        known = {f.value for f in MasterDataField}
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key not in known:
                raise ValidationError(
                    f"is not a master data field (known: {', '.join(sorted(known))})",
                    field=key if isinstance(key, str) and key.isidentifier() else repr(key),
                    value=value,
                )
            values[key] = value
        if isinstance(values.get("address"), Mapping):
            values["address"] = _build(Address, values["address"], "address")
        if "bank_accounts" in values:
            accounts = values["bank_accounts"]
            if isinstance(accounts, str | bytes | Mapping) or not isinstance(accounts, Iterable):
                raise ValidationError(
                    "must be a list of bank accounts", field="bank_accounts", value=accounts
                )
            values["bank_accounts"] = tuple(
                _build(BankAccount, item, f"bank_accounts[{i}]")
                if isinstance(item, Mapping)
                else item
                for i, item in enumerate(accounts)
            )
        return cls(**values)


def _build(kind: type[Any], data: Mapping[str, Any], path: str) -> Any:
    names = {a.name for a in attrs.fields(kind)}
    for key in data:
        if key not in names:
            raise ValidationError("is not a known field", field=f"{path}.{key}", value=data[key])
    try:
        return kind(**data)
    except ValidationError as exc:
        raise exc.within(path) from None
    except TypeError as exc:  # a required field is missing
        raise ValidationError(f"is incomplete: {exc}", field=path, value=dict(data)) from None


@attrs.frozen
class FieldChange:
    """One field's value before and after a change."""

    field: str
    old: object
    new: object


@attrs.frozen
class ChangeRecord:
    """What a master data change did, so the app can notify staff or undo it."""

    customer_id: str
    changes: tuple[FieldChange, ...]
    at: datetime | None = None

    def __bool__(self) -> bool:
        return bool(self.changes)

    def revert(self) -> MasterDataChange:
        """The change that restores the old values (apply it with the same ``editable``)."""
        old: dict[str, Any] = {c.field: c.old for c in self.changes}
        return MasterDataChange(**old)


@attrs.frozen(kw_only=True)
class Company:
    """The merchant: who issues the documents and receives the payments.

    Templates show it as ``[Company.name]``; bank transfer instructions and EPC QR codes take
    the receiving account from ``bank_accounts[0]``.

    ``website`` and ``logo_url`` end up in links and images of e-mails, so they must be
    absolute ``https``, ``http``, ``mailto`` or ``tel`` URLs however a browser reads them;
    anything else (``javascript:``, entity-encoded or not) is refused here:

    >>> Company(name="Beispiel AG", website="javascript:alert(1)")
    Traceback (most recent call last):
    ...
    payportal.exceptions.ValidationError: website must start with https://, http://, \
mailto: or tel: (a browser reads the scheme 'javascript') (got 'javascript:alert(1)')

    Raises:
        ValidationError: a field is invalid; ``field`` names it.
    """

    name: str = attrs.field(converter=v.strip, validator=_line(_NAME, required=True))
    address: Address | None = attrs.field(
        default=None, validator=v.optional(v.instance_of(Address, "an Address"))
    )
    email: str | None = attrs.field(default=None, converter=v.strip, validator=v.optional(v.email))
    phone: str = attrs.field(default="", converter=v.strip, validator=_line(_PHONE))
    website: str = attrs.field(default="", converter=v.strip_url, validator=v.optional_url)
    logo_url: str = attrs.field(default="", converter=v.strip_url, validator=v.optional_url)
    bank_accounts: tuple[BankAccount, ...] = attrs.field(
        default=(), converter=v.to_tuple, validator=v.items_of(BankAccount, "a BankAccount")
    )
    vat_id: str | None = attrs.field(default=None, converter=_vat_id)
    tax_number: str = attrs.field(default="", converter=v.strip, validator=_line(_TAX_NUMBER))
    register_entry: str = attrs.field(default="", converter=v.strip, validator=_line(_NAME))
