"""Open items: what is still owed on one document, as costs, interest and principal."""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from payportal import _validators as v
from payportal._money import Money, currency_exponent
from payportal.documents import Invoice, PayableDocument, Reminder
from payportal.exceptions import ValidationError

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["Component", "ComponentKind", "OpenItem", "units_to_money"]


class ComponentKind(enum.Enum):
    """What part of a debt an amount belongs to.

    The members are listed in the order BGB §367(1) applies a payment within one debt:
    first the costs, then the interest, then the principal. payportal uses this order within
    an item for every allocation strategy.
    """

    COSTS = "costs"
    INTEREST = "interest"
    PRINCIPAL = "principal"


# Index of each kind in the per-item unit triples used on the allocation hot path.
KIND_ORDER: tuple[ComponentKind, ...] = tuple(ComponentKind)


def units_to_money(units: int, currency: str, exponent: int) -> Money:
    """Money from an integer count of minor units, without re-validating the currency."""
    return Money._of(Decimal(units).scaleb(-exponent), currency)


def _non_negative_money(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Money):
        raise v.fail(attribute, value, "must be Money")
    if value.amount < 0:
        raise v.fail(attribute, value, "must not be negative")


@attrs.frozen
class Component:
    """One part of an open item: ``amount`` still open of the given ``kind``.

    >>> Component(ComponentKind.COSTS, Money("5.00", "EUR"))
    Component(kind=<ComponentKind.COSTS: 'costs'>, amount=Money('5.00', 'EUR'))
    """

    kind: ComponentKind = attrs.field(validator=v.instance_of(ComponentKind, "a ComponentKind"))
    amount: Money = attrs.field(validator=_non_negative_money)


_component_items = v.items_of(Component, "a Component")
_key_items = v.items_of(str, "an item key")


# What OpenItem.with_units sets anew: the components and what the units decide.
_FROM_UNITS = ("components", "units", "open_units", "discount_units")


def _components(instance: OpenItem, attribute: attrs.Attribute[Any], value: object) -> None:
    _component_items(instance, attribute, value)
    assert isinstance(value, tuple)
    if not value:
        raise v.fail(attribute, value, "must hold at least one component")
    # A list, not a set: enum hashing is slow, and an item has at most three components.
    seen: list[ComponentKind] = []
    currency = value[0].amount.currency
    for index, component in enumerate(value):
        if component.kind in seen:
            raise ValidationError(
                "repeats a kind that an earlier component already has; add the amounts up",
                field=f"{attribute.name}[{index}].kind",
                value=component.kind,
            )
        seen.append(component.kind)
        if component.amount.currency != currency:
            raise ValidationError(
                f"must be in the item's currency {currency}, like the first component",
                field=f"{attribute.name}[{index}].amount",
                value=component.amount,
            )


def _discount(instance: OpenItem, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    _non_negative_money(instance, attribute, value)
    assert isinstance(value, Money)
    currency = instance.components[0].amount.currency
    if value.currency != currency:
        raise v.fail(attribute, value, f"must be in the item's currency {currency}")


def _key(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    v.non_empty_str(instance, attribute, value)
    assert isinstance(value, str)
    if value != value.strip():
        raise v.fail(attribute, value, "must not start or end with white space")


def _reminds(instance: OpenItem, attribute: attrs.Attribute[Any], value: object) -> None:
    if value == ():
        return  # the usual item; kept cheap, a million items are built in bulk
    _key_items(instance, attribute, value)
    assert isinstance(value, tuple)
    seen: set[str] = set()
    for index, key in enumerate(value):
        field = f"{attribute.name}[{index}]"
        if not key.strip() or key != key.strip():
            raise ValidationError(
                "must be an item key, not empty and without white space around it",
                field=field,
                value=key,
            )
        if key == instance.key:
            raise ValidationError("must name another item than this one", field=field, value=key)
        if key in seen:
            raise ValidationError("repeats an item named before", field=field, value=key)
        seen.add(key)


# Every date ordinal (date.max is 3,652,059) is below this, so due * DATE_SPAN + issued
# orders by due date, then issue date.
DATE_SPAN = 2**22

# Burden is a small ranking; the bound lets it sit at a fixed width in the statutory rank.
MAX_BURDEN = 9_999


def _burden(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise v.fail(attribute, value, "must be an int ranking (higher is more burdensome)")
    if not 0 <= value <= MAX_BURDEN:
        raise v.fail(attribute, value, f"must be between 0 and {MAX_BURDEN}")


@attrs.frozen(kw_only=True)
class OpenItem:
    """What is still open on one document, as the allocation sees it.

    Attributes:
        key: how payments name the item, normally the document number (``"RE-2026-17"``);
            unique among the items allocated together. Results are looked up by it.
        components: the open amounts by kind (costs, interest, principal), all in one
            currency, each kind at most once. See :class:`ComponentKind`.
        due_on: when the debt is due. A document without a due date is due at once, on its
            issue date (BGB §271(1)).
        issued_on: when the debt arose; defaults to ``due_on``. It is the debt's age for
            STATUTORY_DE and the second sort key of OLDEST_FIRST.
        subject: the document it belongs to, as ``"<type>:<id>"`` (``"invoice:inv-1"``).
        secured: whether the creditor holds security for the debt (a guarantee, a lien,
            retention of title). BGB §366(2) pays unsecured debts first.
        burden: how burdensome the debt is for the debtor, as a ranking: higher is more
            burdensome (higher interest, further dunning level) and is paid first among
            equally secured debts, from 0 to 9999. ``from_document`` uses the reminder level.
        discount: cash discount (Skonto) the payer may take on the principal (never more
            than the principal still open), and ``discount_until`` the last day to take it;
            both or neither.
        reminds: for a reminder's item, the keys of the items it demands besides its own
            charges (the reminded invoices' items). The reminder's item holds only its
            charges; the principal stays open once, on the invoices' own items. Naming
            this item in a payment (:attr:`~payportal.allocation.Strategy.SPECIFIED`)
            pays these items too, by BGB §367(1): costs, then interest, then principal,
            oldest first. See :meth:`CustomerAccount.dues`.

    The remaining attributes are derived and exist for fast allocation: ``currency``,
    ``units`` (open minor units of costs, interest, principal), ``open_units``,
    ``discount_units``, ``discount_until_ordinal``, ``due_ordinal``, ``rank`` (the
    OLDEST_FIRST sort key: due date and issue date as fixed-width ordinals, then the key),
    ``date_rank`` (due date and issue date as one int, ordered as ``rank`` without the key) and
    ``statutory_rank`` (security, burden, age and key, for STATUTORY_DE).

    >>> item = OpenItem.simple("RE-1", Money("100.00", "EUR"), due=date(2026, 1, 10))
    >>> item.amount_open, item.currency
    (Money('100.00', 'EUR'), 'EUR')

    Raises:
        ValidationError: a field is invalid; the error names it.
    """

    key: str = attrs.field(validator=_key)
    components: tuple[Component, ...] = attrs.field(converter=v.to_tuple, validator=_components)
    due_on: date = attrs.field(validator=v.a_date)
    issued_on: date = attrs.field(validator=v.a_date)
    subject: str = attrs.field(default="", validator=v.optional_str)
    secured: bool = attrs.field(default=False, validator=v.instance_of(bool, "a bool"))
    burden: int = attrs.field(default=0, validator=_burden)
    discount: Money | None = attrs.field(default=None, validator=_discount)
    discount_until: date | None = attrs.field(default=None, validator=v.optional_date)
    reminds: tuple[str, ...] = attrs.field(default=(), converter=v.to_tuple, validator=_reminds)

    # Precomputed once so that allocating over a million items touches only plain ints.
    currency: str = attrs.field(init=False, repr=False, eq=False)
    rank: str = attrs.field(init=False, repr=False, eq=False)
    units: tuple[int, int, int] = attrs.field(init=False, repr=False, eq=False)
    open_units: int = attrs.field(init=False, repr=False, eq=False)
    discount_units: int = attrs.field(init=False, repr=False, eq=False)
    discount_until_ordinal: int = attrs.field(init=False, repr=False, eq=False)
    due_ordinal: int = attrs.field(init=False, repr=False, eq=False)
    date_rank: int = attrs.field(init=False, repr=False, eq=False)
    statutory_rank: str = attrs.field(init=False, repr=False, eq=False)

    @issued_on.default
    def _issued_default(self) -> date:
        return self.due_on

    def __attrs_post_init__(self) -> None:
        if (self.discount is None) != (self.discount_until is None):
            raise ValidationError(
                "must be given together with discount (both or neither)",
                field="discount_until",
                value=self.discount_until,
            )
        currency = self.components[0].amount.currency
        exponent = currency_exponent(currency)
        parts = [0, 0, 0]
        for component in self.components:
            # Money.minor_units, with the exponent looked up once for all components.
            parts[KIND_ORDER.index(component.kind)] = int(component.amount.amount.scaleb(exponent))
        set_ = object.__setattr__
        set_(self, "currency", currency)
        self._set_units((parts[0], parts[1], parts[2]), exponent)
        until = self.discount_until
        set_(self, "discount_until_ordinal", until.toordinal() if until else 0)
        # Fixed-width ordinals: comparing these strings orders by due date, issue date, key,
        # and string comparison is what makes a heap over a million items cheap.
        due, issued = self.due_on.toordinal(), self.issued_on.toordinal()
        set_(self, "rank", f"{due:07d}{issued:07d}{self.key}")
        set_(self, "due_ordinal", due)
        # Due date and issue date in one int (both ordinals are below 2**22), the first two
        # parts of ``rank``; small ints compare far faster than strings in bulk.
        set_(self, "date_rank", due * DATE_SPAN + issued)
        # BGB §366(2) after "due or not": unsecured first, more burdensome first, older first.
        statutory = f"{self.secured:d}{MAX_BURDEN - self.burden:04d}{issued:07d}{self.key}"
        set_(self, "statutory_rank", statutory)

    def _set_units(self, units: tuple[int, int, int], exponent: int) -> None:
        """Set the fields derived from the open ``units`` (costs, interest, principal)."""
        object.__setattr__(self, "units", units)
        object.__setattr__(self, "open_units", units[0] + units[1] + units[2])
        # The discount stays as the invoice granted it; what can be taken is capped by the
        # principal still open, so a part payment and its reversal leave the terms intact.
        discount = self.discount
        taken = 0 if discount is None else min(int(discount.amount.scaleb(exponent)), units[2])
        object.__setattr__(self, "discount_units", taken)

    @property
    def amount_open(self) -> Money:
        """The sum of the open components."""
        return units_to_money(self.open_units, self.currency, currency_exponent(self.currency))

    def component(self, kind: ComponentKind) -> Money:
        """The open amount of ``kind`` (zero if the item has no such component)."""
        units = self.units[KIND_ORDER.index(kind)]
        return units_to_money(units, self.currency, currency_exponent(self.currency))

    def discount_on(self, paid_on: date | None) -> Money:
        """The cash discount a payment made on ``paid_on`` may take (zero if none or too late)."""
        if self.discount is None or paid_on is None or self.discount_until is None:
            return Money.zero(self.currency)
        if paid_on > self.discount_until:
            return Money.zero(self.currency)
        return units_to_money(self.discount_units, self.currency, currency_exponent(self.currency))

    def with_units(self, units: Sequence[int]) -> OpenItem:
        """A copy with the open amounts replaced by ``units`` (costs, interest, principal).

        Kinds the item had stay on it, even at zero; the discount terms stay as they are.

        Raises:
            ValidationError: an amount is negative.
        """
        currency = self.currency
        exponent = currency_exponent(currency)
        kinds = [c.kind for c in self.components]
        left = tuple(units)
        components = tuple(
            Component(kind, units_to_money(amount, currency, exponent))
            for kind, amount in zip(KIND_ORDER, left, strict=True)
            if kind in kinds or amount
        )
        # Component checked each amount. The rest holds by construction: the item's kinds,
        # each once, in its currency, with its discount terms and dates, which are all that
        # __init__ would check again; so copy the item and set what the units decide,
        # instead of building it anew (this runs three times in every booking).
        item = v.copy_except(self, _FROM_UNITS)
        object.__setattr__(item, "components", components)
        item._set_units((int(left[0]), int(left[1]), int(left[2])), exponent)
        return item

    @classmethod
    def simple(
        cls,
        key: str,
        amount: Money,
        *,
        due: date,
        issued: date | None = None,
        subject: str = "",
        secured: bool = False,
        burden: int = 0,
        discount: Money | None = None,
        discount_until: date | None = None,
    ) -> OpenItem:
        """An item whose whole ``amount`` is principal, such as an open invoice.

        Arguments as on the class; ``issued`` defaults to ``due``.

        >>> OpenItem.simple("INV-1", Money("50.00", "EUR"), due=date(2026, 1, 5)).issued_on
        datetime.date(2026, 1, 5)

        Raises:
            ValidationError: an argument is invalid.
        """
        return cls(
            key=key,
            components=(Component(ComponentKind.PRINCIPAL, amount),),
            due_on=due,
            issued_on=due if issued is None else issued,
            subject=subject,
            secured=secured,
            burden=burden,
            discount=discount,
            discount_until=discount_until,
        )

    @classmethod
    def from_document(
        cls, document: PayableDocument, *, secured: bool = False, burden: int | None = None
    ) -> OpenItem:
        """The open item of an invoice or a reminder, keyed by the document number.

        An invoice's item is its total as principal. A reminder's item holds only its
        charges: its fee and further lines as costs, its interest as interest. What it
        reminds of stays open on the invoices' own items, which the reminder's item names
        in ``reminds`` (the invoice numbers): the account counts that money once, and
        paying the reminder by name pays them too (see :class:`OpenItem`). Add the
        reminded invoices' items to the account as well.

        What was already paid on the document is taken off in BGB §367(1) order: costs,
        then interest, then principal (for a reminder, only its charges are taken off
        here). An invoice with cash-discount terms carries the discount and its deadline.
        ``burden`` defaults to the reminder level (0 for invoices).

        >>> from payportal.documents import RemindedInvoice
        >>> reminder = Reminder(
        ...     id="rem-1", number="MA-1", customer_id="42", issued_on=date(2026, 3, 1),
        ...     fee=Money("5.00", "EUR"),
        ...     reminded=[RemindedInvoice(invoice_id="inv-1", number="RE-1",
        ...                               amount_open=Money("100.00", "EUR"))])
        >>> item = OpenItem.from_document(reminder)
        >>> item.amount_open, item.reminds, reminder.total
        (Money('5.00', 'EUR'), ('RE-1',), Money('105.00', 'EUR'))

        Raises:
            ValidationError: ``document`` is not an invoice or a reminder.
        """
        if not isinstance(document, Invoice | Reminder):
            raise ValidationError(
                "must be an Invoice or a Reminder", field="document", value=document
            )
        currency = document.currency
        reminds: tuple[str, ...] = ()
        kept: tuple[ComponentKind, ...]
        if isinstance(document, Reminder):
            owed = [document.charges.minor_units - document.interest.minor_units]
            owed += [document.interest.minor_units, 0]
            rank = document.level
            reminds = tuple(dict.fromkeys(r.number for r in document.reminded))
            kept = (ComponentKind.COSTS, ComponentKind.INTEREST)
        else:
            owed = [0, 0, document.total.minor_units]
            rank = 0
            kept = (ComponentKind.PRINCIPAL,)
        if document.amount_due.minor_units == 0:
            owed = [0, 0, 0]
        else:
            paid = document.paid.minor_units
            for index, amount in enumerate(owed):
                taken = min(paid, amount)
                owed[index] = amount - taken
                paid -= taken
        exponent = currency_exponent(currency)
        components = tuple(
            Component(kind, units_to_money(amount, currency, exponent))
            for kind, amount in zip(KIND_ORDER, owed, strict=True)
            if amount or kind in kept
        )
        discount: Money | None = None
        discount_until: date | None = None
        if isinstance(document, Invoice) and document.cash_discount is not None:
            discount_until = document.cash_discount.deadline(document.issued_on)
            discount = document.discount_on(discount_until)
        return cls(
            key=document.number,
            components=components,
            due_on=document.due_on or document.issued_on,
            issued_on=document.issued_on,
            subject=document.subject,
            secured=secured,
            burden=rank if burden is None else burden,
            discount=discount,
            discount_until=discount_until,
            reminds=reminds,
        )
