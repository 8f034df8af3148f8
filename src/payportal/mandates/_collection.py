"""A direct-debit collection and the sequence type its mandate's history gives it."""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

import attrs

from payportal import _validators as v
from payportal._money import Money
from payportal.exceptions import ValidationError
from payportal.mandates._errors import UnusableMandateError
from payportal.mandates._identifiers import check_identifier
from payportal.mandates._mandate import Mandate, MandateType, xml_text

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = ["MAX_AMOUNT", "Collection", "SequenceType", "mandates_after", "sequence_types"]

MAX_AMOUNT: Final = Decimal("999999999.99")
"""The largest amount of one SEPA direct debit (AT-06, the implementation guidelines)."""


class SequenceType(enum.Enum):
    """Where a collection stands in its mandate's series (pain.008 ``SeqTp``)."""

    FRST = "FRST"
    """The first collection of a recurring mandate."""
    RCUR = "RCUR"
    """A later collection of a recurring mandate."""
    OOFF = "OOFF"
    """The one collection of a one-off mandate."""
    FNAL = "FNAL"
    """The last collection of a recurring mandate; nothing may follow it."""


def _amount(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Money):
        raise ValidationError("must be a payportal.Money", field=attribute.name, value=value)
    if value.currency != "EUR":
        raise ValidationError(
            "must be in EUR: SEPA direct debits are in euro only",
            field=attribute.name,
            value=value,
        )
    if value.amount <= 0:
        raise ValidationError("must be more than 0.00 EUR", field=attribute.name, value=value)
    if value.amount > MAX_AMOUNT:
        raise ValidationError(
            f"must be at most {MAX_AMOUNT} EUR", field=attribute.name, value=value
        )


_remittance_text = xml_text(140)


def _remittance(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value != "":
        _remittance_text(instance, attribute, value)


def _end_to_end_id(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check_identifier(value, attribute.name, "end-to-end id")


@attrs.frozen
class Collection:
    """One direct debit to collect on a mandate.

    Attributes:
        mandate: the mandate, as it is before this collection (its history decides the
            sequence type).
        amount: the amount, in EUR, from 0.01 to 999,999,999.99.
        end_to_end_id: the creditor's id of the collection, returned with every
            R-transaction (AT-10): the invoice number is a good choice.
        due_date: the day the debtor's account is debited.
        remittance: the text on the debtor's statement, at most 140 characters.
        final: this is the mandate's last collection (FNAL); nothing may follow it.

    Raises:
        ValidationError: an invalid amount or end-to-end id, or a remittance text that is too
            long or not one line.
        UnusableMandateError: the mandate is revoked, expired, blocked or used up at
            ``due_date``.
    """

    mandate: Mandate = attrs.field(validator=v.instance_of(Mandate, "a Mandate"))
    amount: Money = attrs.field(validator=_amount)
    end_to_end_id: str = attrs.field(validator=_end_to_end_id)
    due_date: date = attrs.field(validator=v.a_date)
    remittance: str = attrs.field(default="", validator=_remittance, kw_only=True)
    final: bool = attrs.field(
        default=False, validator=v.instance_of(bool, "True or False"), kw_only=True
    )

    def __attrs_post_init__(self) -> None:
        problem = self.mandate.problem(self.due_date)
        if problem is not None:
            raise UnusableMandateError(
                problem,
                field="mandate",
                value=self.mandate.reference,
            )


def _order(collections: Sequence[Collection]) -> dict[str, list[int]]:
    """Indexes of the collections per mandate, in due-date order (then input order)."""
    by_mandate: dict[str, list[int]] = {}
    for index, collection in enumerate(collections):
        by_mandate.setdefault(collection.mandate.reference, []).append(index)
    for indexes in by_mandate.values():
        indexes.sort(key=lambda i: collections[i].due_date)
    return by_mandate


def sequence_types(collections: Iterable[Collection]) -> tuple[SequenceType, ...]:
    """The sequence type of each collection, in the order given.

    A one-off mandate gives OOFF, once. On a recurring mandate the first collection ever is
    FRST and the later ones RCUR; one marked ``final`` is FNAL (or FRST if it is also the
    first) and nothing may follow it. Several collections on one mandate in the same batch
    are taken in due-date order.

    Raises:
        UnusableMandateError: a one-off mandate is collected twice, a collection follows a
            final one, or two collections name the same mandate reference with different
            mandate details (``field`` says which collection).
    """
    items = list(collections)
    types: list[SequenceType | None] = [None] * len(items)
    for indexes in _order(items).values():
        mandate = items[indexes[0]].mandate
        count, finished = mandate.collections, mandate.finished
        for index in indexes:
            collection = items[index]
            field = f"collections[{index}].mandate"
            if collection.mandate != mandate:
                raise UnusableMandateError(
                    "differs from the mandate of the same reference in another collection "
                    "of this batch",
                    field=field,
                    value=mandate.reference,
                )
            if finished:
                raise UnusableMandateError(
                    "has already had its one-off or final collection in this batch",
                    field=field,
                    value=mandate.reference,
                )
            if mandate.type is MandateType.ONE_OFF:
                kind = SequenceType.OOFF
                finished = True
            elif count == 0:
                kind = SequenceType.FRST
                finished = collection.final
            elif collection.final:
                kind = SequenceType.FNAL
                finished = True
            else:
                kind = SequenceType.RCUR
            count += 1
            types[index] = kind
    return tuple(t for t in types if t is not None)


def mandates_after(collections: Iterable[Collection]) -> dict[str, Mandate]:
    """Each mandate after the collections were presented, by reference: store these once the
    bank has the file, so the next batch gets the right sequence types.

    Raises:
        UnusableMandateError: as :func:`sequence_types`.
    """
    items = list(collections)
    sequence_types(items)  # the same checks
    result: dict[str, Mandate] = {}
    for reference, indexes in _order(items).items():
        mandate = items[indexes[0]].mandate
        for index in indexes:
            mandate = mandate.record_collection(items[index].due_date, final=items[index].final)
        result[reference] = mandate
    return result
