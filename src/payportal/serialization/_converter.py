"""The one cattrs converter that turns payportal's models into JSON data and back.

The models know nothing about their stored form; every rule of that form is a hook here:

* Money is ``{"amount": "12.30", "currency": "EUR"}``: the amount a decimal string, never
  a float, so no binary rounding can touch it.
* Decimals are strings, dates ``YYYY-MM-DD``, datetimes ISO 8601 with their UTC offset,
  enums their value, tuples and sets lists, mappings with string keys objects.
* Reading is strict: a number where a string belongs, a float where money belongs, a key
  the model does not have, all raise, and the models' own validators run as they do for
  any caller.
* An account writes its items and its allocations as lists (their keys are inside them);
  an allocation result never writes the items it was allocated over.
"""

from __future__ import annotations

import enum
import functools
import operator
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

import attrs
import cattrs
from cattrs.errors import IterableValidationError, IterableValidationNote
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from payportal._money import Money
from payportal.accounts import (
    AccountStatement,
    AccountStatementLine,
    Component,
    CustomerAccount,
    LedgerEntry,
    OpenItem,
    PrepaidAccount,
    RefundRequest,
    TopUp,
)
from payportal.allocation import AllocationLine, AllocationResult, Reversal, Tolerance
from payportal.customers import (
    Address,
    BankAccount,
    ChangeRecord,
    Company,
    Customer,
    FieldChange,
    MasterDataChange,
    MasterDataField,
)
from payportal.documents import (
    CashDiscount,
    Comment,
    CreditNote,
    DeliveryNote,
    Invoice,
    LineItem,
    Offer,
    OrderConfirmation,
    RemindedInvoice,
    Reminder,
    TaxLine,
    Totals,
)
from payportal.exceptions import ValidationError
from payportal.links import LinkClaims
from payportal.portal import Action
from payportal.providers._models import (
    Capabilities,
    Payment,
    PaymentRequest,
    Refund,
    WebhookEvent,
)
from payportal.reconciliation import Statement, StatementEntry
from payportal.serialization._errors import translate

__all__ = ["MODELS", "converter"]

#: Every model that can be stored on its own, by the name its stored form carries.
MODELS: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        Money,
        Address,
        BankAccount,
        Customer,
        Company,
        MasterDataChange,
        FieldChange,
        ChangeRecord,
        LineItem,
        TaxLine,
        Totals,
        Comment,
        CashDiscount,
        RemindedInvoice,
        Invoice,
        Reminder,
        CreditNote,
        Offer,
        DeliveryNote,
        OrderConfirmation,
        Component,
        OpenItem,
        TopUp,
        PrepaidAccount,
        LedgerEntry,
        RefundRequest,
        AccountStatementLine,
        AccountStatement,
        CustomerAccount,
        AllocationLine,
        Tolerance,
        AllocationResult,
        Reversal,
        PaymentRequest,
        Refund,
        Payment,
        WebhookEvent,
        Capabilities,
        LinkClaims,
        StatementEntry,
        Statement,
    )
}


def _refuse(reason: str, value: object) -> ValidationError:
    # The path is filled in by the caller (see _errors.translate).
    return ValidationError(reason, field="", value=value)


# Scalars: cattrs would coerce (str(3) == "3", int("3") == 3); stored data must be exact.


def _str(value: object, _: type) -> str:
    if not isinstance(value, str):
        raise _refuse("must be a string", value)
    return value


def _int(value: object, _: type) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise _refuse("must be an integer", value)
    return value


def _bool(value: object, _: type) -> bool:
    if not isinstance(value, bool):
        raise _refuse("must be true or false", value)
    return value


def _decimal(value: object, _: type) -> Decimal:
    if not isinstance(value, str):
        raise _refuse("must be a decimal string such as '19.5', never a number", value)
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise _refuse("is not a decimal number", value) from None
    if not number.is_finite():
        raise _refuse("must be a finite number", value)
    return number


def _date(value: object, _: type) -> date:
    if not isinstance(value, str):
        raise _refuse("must be a date string YYYY-MM-DD", value)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _refuse("is not a date YYYY-MM-DD", value) from None


def _datetime(value: object, _: type) -> datetime:
    if not isinstance(value, str):
        raise _refuse("must be an ISO 8601 date and time string", value)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _refuse("is not an ISO 8601 date and time", value) from None
    if moment.utcoffset() is None:
        raise _refuse("must carry its UTC offset", value)
    return moment


def _unstructure_money(money: Money) -> dict[str, str]:
    return {"amount": str(money.amount), "currency": money.currency}


# Money is immutable, and a ledger repeats the same amounts: parse each pair once.
_parsed_money = functools.lru_cache(maxsize=4_096)(Money)


def _money(value: object, _: type) -> Money:
    if not isinstance(value, dict):
        raise _refuse("must be an object with amount and currency", value)
    amount = value.get("amount")
    currency = value.get("currency")
    if not isinstance(amount, str):
        raise ValidationError(
            "must be a decimal string such as '12.30', never a number", field="amount", value=amount
        )
    if not isinstance(currency, str):
        raise ValidationError("must be a currency code string", field="currency", value=currency)
    if len(value) != 2:
        extra = sorted(set(value) - {"amount", "currency"})
        raise ValidationError("is not a field of Money", field=str(extra[0]), value=extra)
    return _parsed_money(amount, currency)


def _enum_hook(kind: type[enum.Enum]) -> Callable[[object, type], enum.Enum]:
    # A dict lookup instead of kind(value), which is slow for what a stored form needs.
    members = {member.value: member for member in kind}

    def structure(value: object, _: type) -> enum.Enum:
        try:
            return members[value]
        except (KeyError, TypeError):  # TypeError: an unhashable value such as a list
            known = ", ".join(repr(member.value) for member in kind)
            raise _refuse(f"is not one of {known}", value) from None

    return structure


def _enum_out(kind: type[enum.Enum]) -> Callable[[enum.Enum], object]:
    return operator.attrgetter("_value_")  # a plain attribute: no property call


def _is_enum(type_: object) -> bool:
    return isinstance(type_, type) and issubclass(type_, enum.Enum)


def _is_homogeneous_tuple(type_: object) -> bool:
    # tuple[X, ...] and Sequence[X] (an allocation result's lines): both read as tuples.
    args = typing.get_args(type_)
    if typing.get_origin(type_) is Sequence:
        return len(args) == 1
    return typing.get_origin(type_) is tuple and len(args) == 2 and args[1] is Ellipsis


def _is_fixed_tuple(type_: object) -> bool:
    args = typing.get_args(type_)
    return typing.get_origin(type_) is tuple and bool(args) and Ellipsis not in args


def _is_frozenset(type_: object) -> bool:
    return typing.get_origin(type_) is frozenset


def _is_str_mapping(type_: object) -> bool:
    args = typing.get_args(type_)
    return typing.get_origin(type_) is Mapping and len(args) == 2 and args[0] is str


def _is_optional(type_: object) -> bool:
    # X | None of one X; cattrs' own hook for these looks the hook of X up on every call.
    args = typing.get_args(type_)
    return (
        typing.get_origin(type_) in (typing.Union, types.UnionType)
        and len(args) == 2
        and type(None) in args
    )


Structure = Callable[[Any, Any], Any]


def _elements(handler: Structure, value: object, type_: Any, element: Any) -> list[Any]:
    if not isinstance(value, list):
        raise _refuse("must be a list", value)
    out: list[Any] = []
    errors: list[Exception] = []
    for index, item in enumerate(value):
        try:
            out.append(handler(item, element))
        except Exception as error:  # noqa: BLE001 - collected and re-raised with the index
            error.add_note(IterableValidationNote(f"@ index {index}", index, element))
            errors.append(error)
    if errors:
        raise IterableValidationError(f"While structuring {type_!r}", errors, type_)
    return out


def _configure(conv: cattrs.Converter) -> None:  # noqa: PLR0915 - one hook per rule, in one place
    conv.register_structure_hook(str, _str)
    conv.register_structure_hook(int, _int)
    conv.register_structure_hook(bool, _bool)
    conv.register_unstructure_hook(Decimal, str)
    conv.register_structure_hook(Decimal, _decimal)
    conv.register_unstructure_hook(date, date.isoformat)
    conv.register_structure_hook(date, _date)
    conv.register_unstructure_hook(datetime, datetime.isoformat)
    conv.register_structure_hook(datetime, _datetime)
    conv.register_unstructure_hook(Money, _unstructure_money)
    conv.register_structure_hook(Money, _money)
    conv.register_structure_hook_factory(_is_enum, _enum_hook)
    conv.register_unstructure_hook_factory(_is_enum, _enum_out)

    def homogeneous(type_: Any) -> Callable[[object, type], tuple[Any, ...]]:
        element = typing.get_args(type_)[0]
        handler = conv.get_structure_hook(element)
        return lambda value, _: tuple(_elements(handler, value, type_, element))

    def optional(type_: Any) -> Callable[[object, type], Any]:
        other = next(arg for arg in typing.get_args(type_) if arg is not type(None))
        handler = conv.get_structure_hook(other)
        return lambda value, _: None if value is None else handler(value, other)

    def fixed(type_: Any) -> Callable[[object, type], tuple[Any, ...]]:
        kinds = typing.get_args(type_)

        def structure(value: object, _: type) -> tuple[Any, ...]:
            if not isinstance(value, list) or len(value) != len(kinds):
                raise _refuse(f"must be a list of {len(kinds)} values", value)
            out: list[Any] = []
            errors: list[Exception] = []
            for index, (item, kind) in enumerate(zip(value, kinds, strict=True)):
                try:
                    out.append(conv.structure(item, kind))
                except Exception as error:  # noqa: BLE001 - re-raised with the index
                    error.add_note(IterableValidationNote(f"@ index {index}", index, kind))
                    errors.append(error)
            if errors:
                raise IterableValidationError(f"While structuring {type_!r}", errors, type_)
            return tuple(out)

        return structure

    def fixed_out(type_: Any) -> Callable[[tuple[Any, ...]], list[Any]]:
        hooks = [conv.get_unstructure_hook(kind) for kind in typing.get_args(type_)]
        return lambda value: [hook(item) for hook, item in zip(hooks, value, strict=True)]

    def sets(type_: Any) -> Callable[[object, type], frozenset[Any]]:
        element = typing.get_args(type_)[0]
        handler = conv.get_structure_hook(element)
        return lambda value, _: frozenset(_elements(handler, value, type_, element))

    def set_out(type_: Any) -> Callable[[frozenset[Any]], list[Any]]:
        element = typing.get_args(type_)[0]
        hook = conv.get_unstructure_hook(element)
        # Sorted, so the same set is always the same text (and the same hash in a store).
        return lambda value: sorted(hook(item) for item in value)

    def mapping(type_: Any) -> Callable[[object, type], MappingProxyType[str, Any]]:
        element = typing.get_args(type_)[1]
        handler = conv.get_structure_hook(element)

        def structure(value: object, _: type) -> MappingProxyType[str, Any]:
            if not isinstance(value, dict):
                raise _refuse("must be an object", value)
            out: dict[str, Any] = {}
            errors: list[Exception] = []
            for key, item in value.items():
                try:
                    out[key] = handler(item, element)
                except Exception as error:  # noqa: BLE001 - re-raised with the key
                    error.add_note(IterableValidationNote(f"@ key {key!r}", key, element))
                    errors.append(error)
            if errors:
                raise IterableValidationError(f"While structuring {type_!r}", errors, type_)
            return MappingProxyType(out)

        return structure

    def homogeneous_out(type_: Any) -> Callable[[Sequence[Any]], list[Any]]:
        element = typing.get_args(type_)[0]
        if element is Any:
            return list
        hook = conv.get_unstructure_hook(element)
        return lambda value: [hook(item) for item in value]

    def mapping_out(type_: Any) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
        element = typing.get_args(type_)[1]
        if element is Any:
            return dict
        hook = conv.get_unstructure_hook(element)
        return lambda value: {key: hook(item) for key, item in value.items()}

    conv.register_structure_hook_factory(_is_optional, optional)
    conv.register_structure_hook_factory(_is_homogeneous_tuple, homogeneous)
    conv.register_unstructure_hook_factory(_is_homogeneous_tuple, homogeneous_out)
    conv.register_structure_hook_factory(_is_fixed_tuple, fixed)
    conv.register_unstructure_hook_factory(_is_fixed_tuple, fixed_out)
    conv.register_structure_hook_factory(_is_frozenset, sets)
    conv.register_unstructure_hook_factory(_is_frozenset, set_out)
    conv.register_structure_hook_factory(_is_str_mapping, mapping)
    conv.register_unstructure_hook_factory(_is_str_mapping, mapping_out)
    conv.register_unstructure_hook(Action, lambda action: action.value)

    _configure_results(conv)
    _configure_account(conv)
    _configure_master_data(conv)


def _configure_results(conv: cattrs.Converter) -> None:
    # The items a fresh result was allocated over are not part of it (see AllocationResult).
    conv.register_unstructure_hook(
        AllocationResult,
        make_dict_unstructure_fn(AllocationResult, conv, _items=override(omit=True)),
    )
    conv.register_structure_hook(
        AllocationResult,
        make_dict_structure_fn(
            AllocationResult, conv, _items=override(omit=True), _cattrs_forbid_extra_keys=True
        ),
    )


def _configure_account(conv: cattrs.Converter) -> None:
    # Items and allocations are written as lists: their keys are inside them, and a list
    # keeps the account's order.
    item_list = tuple[OpenItem, ...]
    result_list = tuple[AllocationResult, ...]
    item_out = conv.get_unstructure_hook(OpenItem)
    result_out = conv.get_unstructure_hook(AllocationResult)
    results_in = conv.get_structure_hook(result_list)

    def results(value: object, _: type) -> dict[str, AllocationResult]:
        return {result.payment_id: result for result in results_in(value, result_list)}

    conv.register_unstructure_hook(
        CustomerAccount,
        make_dict_unstructure_fn(
            CustomerAccount,
            conv,
            items=override(unstruct_hook=lambda items: [item_out(i) for i in items.values()]),
            allocations=override(
                unstruct_hook=lambda found: [result_out(r) for r in found.values()]
            ),
        ),
    )
    conv.register_structure_hook(
        CustomerAccount,
        make_dict_structure_fn(
            CustomerAccount,
            conv,
            items=override(struct_hook=conv.get_structure_hook(item_list)),
            allocations=override(struct_hook=results),
            _cattrs_forbid_extra_keys=True,
        ),
    )


def _customer_field_types() -> dict[str, Any]:
    return {field.name: field.type for field in attrs.fields(attrs.resolve_types(Customer))}


def _configure_master_data(conv: cattrs.Converter) -> None:
    # A change and a change record hold values of the customer's fields: each is written
    # and read as the customer's field of that name is.
    types = _customer_field_types()
    editable = {field.value for field in MasterDataField}

    def change_out(change: MasterDataChange) -> dict[str, Any]:
        return {
            name: conv.unstructure(value, types[name]) for name, value in change.values().items()
        }

    def change_in(value: object, _: type) -> MasterDataChange:
        if not isinstance(value, dict):
            raise _refuse("must be an object", value)
        values: dict[str, Any] = {}
        for name, item in value.items():
            if name not in editable:
                raise ValidationError("is not a master data field", field=str(name), value=item)
            values[name] = _nested(conv, item, types[name], name)
        return MasterDataChange(**values)

    def field_change_out(change: FieldChange) -> dict[str, Any]:
        kind = types.get(change.field, Any)
        return {
            "field": change.field,
            "old": conv.unstructure(change.old, kind),
            "new": conv.unstructure(change.new, kind),
        }

    def field_change_in(value: object, _: type) -> FieldChange:
        if not isinstance(value, dict) or set(value) != {"field", "old", "new"}:
            raise _refuse("must be an object with field, old and new", value)
        name = value["field"]
        if not isinstance(name, str) or name not in types:
            raise ValidationError("is not a customer field", field="field", value=name)
        kind = types[name]
        return FieldChange(
            field=name,
            old=_nested(conv, value["old"], kind, "old"),
            new=_nested(conv, value["new"], kind, "new"),
        )

    conv.register_unstructure_hook(MasterDataChange, change_out)
    conv.register_structure_hook(MasterDataChange, change_in)
    conv.register_unstructure_hook(FieldChange, field_change_out)
    conv.register_structure_hook(FieldChange, field_change_in)


def _nested(conv: cattrs.Converter, value: object, kind: Any, name: str) -> Any:
    try:
        return conv.structure(value, kind)
    except Exception as error:  # noqa: BLE001 - every failure becomes a ValidationError
        raise translate(error, name) from None


def _make() -> cattrs.Converter:
    conv = cattrs.Converter(detailed_validation=True, forbid_extra_keys=True, omit_if_default=True)
    _configure(conv)
    return conv


#: The converter; use :func:`payportal.serialization.dump` and ``load`` rather than this.
converter = _make()
