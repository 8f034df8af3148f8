"""``DunningPolicy.due`` over many customers with 10 invoices each (issue 23).

Target: time(1M invoices) / time(100k invoices) below 12 (linear growth): 10k customers, then
100k customers, 10 invoices each.

Shape: a three-level policy (7 days after the due date, then 14 days after the previous
reminder, twice) with fees and statutory interest (§ 288 BGB); every customer has 10 invoices
due between five months before and two months after the dunning day; one in ten is paid, one
customer in fifty has a part payment booked on the account and one in fifty a dispute block
on an invoice, two in five invoices were already reminded at level 1 or 2, and every
twentieth customer is a business (flat fee). About 58 % of the invoices get a reminder.

Anchor: a plain loop over the same invoices that computes only the date each one's next
level falls due (due date or last reminder, plus the level's days) and compares it with the
dunning day, in the same run: the least any dunning run has to do. The ratio says what the
rest (open amounts from the account, blocks, minimum, interest per base-rate period,
proposals) costs on top.

Timing: the least CPU time (``time.process_time``) of a few runs with the garbage collector
off; the customers are built before, outside the timed region.

Building the 100k customers takes several minutes (a million validated documents); the
whole run about ten minutes on a small shared machine. Run with ``python
bench/bench_dunning.py`` (``--quick`` stops at 100k invoices).

Measured (2026-12-06, 2 shared cores, CPython 3.11): 100k invoices 2.06 s (anchor 0.18 s,
ratio 11.4), 1M invoices 18.96 s (anchor 1.96 s, ratio 9.7); time(1M) / time(100k) = 9.19.
"""

from __future__ import annotations

import gc
import random
import sys
import time
from datetime import date, timedelta
from typing import TYPE_CHECKING

from payportal import Customer, CustomerAccount, Money, OpenItem
from payportal.allocation import Strategy
from payportal.documents import Invoice, LineItem, PaymentState, RemindedInvoice, Reminder
from payportal.dunning import (
    BlockReason,
    CountedFrom,
    DunningBlock,
    DunningLevel,
    DunningPolicy,
    StatutoryInterest,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from payportal.documents import Document

ON = date(2026, 6, 15)
INVOICES_PER_CUSTOMER = 10
SIZES = (100_000, 1_000_000)  # invoices

POLICY = DunningPolicy(
    levels=[
        DunningLevel(days=7),
        DunningLevel(
            days=14, fees=Money("5.00", "EUR"), counted_from=CountedFrom.PREVIOUS_REMINDER
        ),
        DunningLevel(
            days=14, fees=Money("10.00", "EUR"), counted_from=CountedFrom.PREVIOUS_REMINDER
        ),
    ],
    interest=StatutoryInterest(),
    flat_fee=True,
    minimum=Money("5.00", "EUR"),
)

Customer_ = tuple[CustomerAccount, list["Document"], Customer, list[DunningBlock]]


def build(customers: int) -> list[Customer_]:
    rng = random.Random(23)
    # A few hundred distinct invoice bodies, their totals computed once: building a million
    # invoices one by one through their totals would take many minutes.
    bodies = []
    for units in range(1_000, 200_000, 997):
        price = Money.from_minor(units, "EUR")
        bodies.append(((LineItem(title="Service", quantity=1, unit_price=price),), price))
    days = [ON + timedelta(days=60 - n) for n in range(220)]
    zero = Money.zero("EUR")
    built = []
    for number in range(customers):
        cid = f"c{number}"
        business = number % 20 == 0
        customer = Customer(
            id=cid,
            number=f"K-{number}",
            name="Erika Muster",
            company="Muster GmbH" if business else "",
        )
        invoices: list[Document] = []
        reminders: list[Document] = []
        items = []
        for index in range(INVOICES_PER_CUSTOMER):
            due = days[rng.randrange(210)]
            lines, total = bodies[rng.randrange(len(bodies))]
            paid = rng.random() < 0.1
            invoice = Invoice(
                id=f"{cid}-{index}",
                number=f"RE-{number}-{index}",
                customer_id=cid,
                issued_on=due - timedelta(days=14),
                due_on=due,
                lines=lines,
                state=PaymentState.PAID if paid else PaymentState.OPEN,
                paid=total if paid else zero,
            )
            items.append(
                OpenItem.simple(
                    invoice.number,
                    zero if paid else total,
                    due=due,
                    issued=invoice.issued_on,
                    subject=invoice.subject,
                )
            )
            invoices.append(invoice)
            level = rng.choice((0, 0, 0, 1, 2))
            for step in range(1, level + 1):
                on = due + timedelta(days=8 + 15 * (step - 1))
                if on < ON:
                    reminders.append(
                        Reminder(
                            id=f"r-{cid}-{index}-{step}",
                            number=f"MA-{number}-{index}-{step}",
                            customer_id=cid,
                            issued_on=on,
                            reminded=(
                                RemindedInvoice(
                                    invoice_id=invoice.id, number=invoice.number, amount_open=total
                                ),
                            ),
                            level=step,
                        )
                    )
        account = CustomerAccount(customer_id=cid, currency="EUR", items=items)
        if number % 50 == 1:  # a part payment on the oldest invoices
            payment = Money.from_minor(rng.randrange(1_000, 100_000), "EUR")
            account = account.apply(
                account.allocate(
                    payment,
                    strategy=Strategy.OLDEST_FIRST,
                    paid_on=days[60 + rng.randrange(60)],
                    payment_id=f"P-{cid}",
                )
            )
        blocks = []
        if number % 50 == 0:
            blocks.append(
                DunningBlock(customer_id=cid, reason=BlockReason.DISPUTE, invoice_id=f"{cid}-0")
            )
        built.append((account, [*invoices, *reminders], customer, blocks))
    return built


def run_policy(customers: list[Customer_]) -> int:
    count = 0
    for account, documents, customer, blocks in customers:
        for proposal in POLICY.due(account, documents, on=ON, customer=customer, blocks=blocks):
            count += len(proposal.invoices)
    return count


def run_anchor(customers: list[Customer_]) -> int:
    """The due dates alone: next level's day per invoice, compared with the dunning day."""
    levels = POLICY.levels
    on = ON
    count = 0
    for _account, documents, _customer, _blocks in customers:
        last: dict[str, tuple[int, date]] = {}
        for document in documents:
            if isinstance(document, Reminder):
                for invoice_id in document.invoice_ids:
                    seen = last.get(invoice_id)
                    if seen is None or seen[0] < document.level:
                        last[invoice_id] = (document.level, document.issued_on)
        for document in documents:
            if isinstance(document, Invoice):
                reached, day = last.get(document.id, (0, document.due_on))
                if reached < len(levels):
                    assert day is not None
                    if day + timedelta(days=levels[reached].days) <= on:
                        count += 1
    return count


def best_of(runs: int, work: Callable[[], object]) -> tuple[float, object]:
    best, answer = float("inf"), None
    for _ in range(runs):
        gc.collect()
        gc.disable()
        try:
            started = time.process_time()
            answer = work()
            best = min(best, time.process_time() - started)
        finally:
            gc.enable()
    return best, answer


def main(quick: bool) -> None:
    sizes = SIZES[:1] if quick else SIZES
    print("DunningPolicy.due: 10 invoices per customer, three levels, statutory interest")
    print(f"{'invoices':>10} {'customers':>10} {'reminded':>9} {'due s':>8} {'anchor s':>9} "
          f"{'ratio':>6} {'invoices/s':>11}")  # fmt: skip
    timings: dict[int, float] = {}
    everyone = build(sizes[-1] // INVOICES_PER_CUSTOMER)
    for size in sizes:
        customers = everyone[: size // INVOICES_PER_CUSTOMER]
        runs = 3 if size < 1_000_000 else 2
        seconds, reminded = best_of(runs, lambda customers=customers: run_policy(customers))
        anchor, _ = best_of(runs, lambda customers=customers: run_anchor(customers))
        timings[size] = seconds
        print(f"{size:>10,} {len(customers):>10,} {reminded:>9,} {seconds:>8.2f} {anchor:>9.2f} "
              f"{seconds / anchor:>6.1f} {size / seconds:>11,.0f}")  # fmt: skip
    if len(sizes) > 1:
        ratio = timings[sizes[-1]] / timings[sizes[0]]
        print(f"time(1M) / time(100k) = {ratio:.2f} (target < 12)")


if __name__ == "__main__":
    main("--quick" in sys.argv[1:])
