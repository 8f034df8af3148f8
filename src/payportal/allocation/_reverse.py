"""Reversing an allocation for a refund or a chargeback, wholly or in part."""

from __future__ import annotations

import attrs

from payportal._money import Money
from payportal.allocation._result import AllocationLine, AllocationResult
from payportal.exceptions import CurrencyMismatchError, ValidationError

__all__ = ["Reversal", "reverse"]


@attrs.frozen(kw_only=True)
class Reversal:
    """What a refund or chargeback takes back from an allocation.

    Attributes:
        payment_id: the reversed payment.
        amount: the amount reversed; ``unapplied`` plus the sum of ``lines``.
        unapplied: the part taken back from the overpayment (credit, top-up or refund).
        lines: amounts restored to items, latest allocated first.
        discounts: cash discounts undone because their item is open again.
        write_offs: write-offs undone because their item is open again.
        remaining: the allocation as it stands after the reversal.
    """

    payment_id: str
    amount: Money
    unapplied: Money
    lines: tuple[AllocationLine, ...]
    discounts: tuple[AllocationLine, ...]
    write_offs: tuple[AllocationLine, ...]
    remaining: AllocationResult

    @property
    def items(self) -> tuple[str, ...]:
        """Keys of the items that open again, in the order they were reversed."""
        return tuple(dict.fromkeys(line.item for line in (*self.lines, *self.write_offs)))


def reverse(result: AllocationResult, amount: Money | None = None) -> Reversal:
    """Take back ``amount`` (all of it by default) of the payment behind ``result``.

    A partial reversal goes in the opposite order of the allocation: first the overpayment,
    which came last, then the lines from the latest to the earliest. An item that gets money
    back opens again, so its cash discount and write-off are undone as well. Reversing the
    whole payment restores every item exactly as it was before the allocation.

    >>> from datetime import date
    >>> from payportal.accounts import OpenItem
    >>> from payportal.allocation import Strategy, allocate
    >>> items = [OpenItem.simple(k, Money("50.00", "EUR"), due=date(2026, 1, d))
    ...          for k, d in (("A", 1), ("B", 2))]
    >>> result = allocate(Money("110.00", "EUR"), items, strategy=Strategy.OLDEST_FIRST)
    >>> back = reverse(result, Money("30.00", "EUR"))
    >>> back.unapplied, [(line.item, str(line.amount)) for line in back.lines]
    (Money('10.00', 'EUR'), [('B', '20.00 EUR')])
    >>> back.remaining.allocated_to("B")
    Money('30.00', 'EUR')

    Raises:
        ValidationError: ``amount`` is not positive Money or more than the payment.
        CurrencyMismatchError: ``amount`` is in another currency than the payment.
    """
    if amount is None:
        amount = result.payment
    if not isinstance(amount, Money):
        raise ValidationError("must be Money or None", field="amount", value=amount)
    if amount.currency != result.currency:
        raise CurrencyMismatchError(
            f"cannot reverse {amount} of a payment in {result.currency}: currencies differ"
        )
    if amount.amount <= 0:
        raise ValidationError("must be positive", field="amount", value=amount)
    if amount > result.payment:
        raise ValidationError(
            f"is more than the {result.payment} that still stands of the payment",
            field="amount",
            value=amount,
        )
    from_overpayment = min(amount, result.unapplied)
    left = amount - from_overpayment
    kept = list(result.lines)
    restored: list[AllocationLine] = []
    for index in reversed(range(len(kept))):
        if not left:
            break
        line = kept[index]
        taken = min(left, line.amount)
        restored.append(attrs.evolve(line, amount=taken))
        kept[index] = attrs.evolve(line, amount=line.amount - taken)
        left -= taken
    reopened = {line.item for line in restored}
    remaining = attrs.evolve(
        result,
        payment=result.payment - amount,
        unapplied=result.unapplied - from_overpayment,
        lines=tuple(line for line in kept if line.amount),
        discounts=tuple(d for d in result.discounts if d.item not in reopened),
        write_offs=tuple(w for w in result.write_offs if w.item not in reopened),
    )
    return Reversal(
        payment_id=result.payment_id,
        amount=amount,
        unapplied=from_overpayment,
        lines=tuple(restored),
        discounts=tuple(d for d in result.discounts if d.item in reopened),
        write_offs=tuple(w for w in result.write_offs if w.item in reopened),
        remaining=remaining,
    )
