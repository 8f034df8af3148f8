"""Payment allocation: which open items a payment settles, and what happens to the rest.

:func:`allocate` is a pure function from a payment and open items to an immutable
:class:`AllocationResult`. It works in integer minor units, so the lines and the unapplied
amount always add up to the payment exactly.

>>> from datetime import date
>>> from payportal import Money
>>> from payportal.accounts import OpenItem
>>> a = OpenItem.simple("INV-1", Money("100.00", "EUR"), due=date(2026, 1, 10))
>>> b = OpenItem.simple("INV-2", Money("50.00", "EUR"), due=date(2026, 1, 5))
>>> res = allocate(Money("120.00", "EUR"), [a, b], strategy=Strategy.OLDEST_FIRST)
>>> res.allocated_to("INV-2"), res.allocated_to("INV-1"), res.remaining_open("INV-1")
(Money('50.00', 'EUR'), Money('70.00', 'EUR'), Money('30.00', 'EUR'))

The German statutory order (BGB §366(2), §367(1)) is :attr:`Strategy.STATUTORY_DE`;
:func:`reverse` undoes an allocation for a refund or a chargeback.
"""

from payportal.allocation._allocate import allocate, split_fairly
from payportal.allocation._result import (
    AllocationLine,
    AllocationResult,
    OverpaymentPolicy,
    Strategy,
    Tolerance,
)
from payportal.allocation._reverse import Reversal, reverse

__all__ = [
    "AllocationLine",
    "AllocationResult",
    "OverpaymentPolicy",
    "Reversal",
    "Strategy",
    "Tolerance",
    "allocate",
    "reverse",
    "split_fairly",
]
