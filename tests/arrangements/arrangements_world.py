"""A customer with stored invoices and account, a clock and Arrangements, for the
instalment and dispute tests (imported by bare name)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING

from payportal import Money
from payportal.accounts import CustomerAccount, OpenItem
from payportal.allocation import Strategy
from payportal.arrangements import Arrangements, InstalmentTerms
from payportal.documents import Invoice, LineItem
from payportal.dunning import DunningLevel, DunningPolicy
from payportal.storage import SQLiteStorage
from payportal.testing._memory_storage import MemoryStorage

if TYPE_CHECKING:
    from payportal.storage import Storage

POLICY = DunningPolicy(levels=[DunningLevel(days=7), DunningLevel(days=21)])


def invoice(number: int, cents: int, *, customer: str = "42") -> Invoice:
    return Invoice(
        id=f"inv-{number}",
        number=f"RE-{number}",
        customer_id=customer,
        issued_on=date(2026, 3, 1),
        due_on=date(2026, 3, 15),
        lines=[
            LineItem(
                title="Service",
                quantity=1,
                unit_price=Money.from_minor(cents, "EUR"),
                tax_rate=Decimal(0),
            )
        ],
    )


class Clock:
    """A settable clock: ``clock.day = date(...)``."""

    def __init__(self, day: date) -> None:
        self.day = day

    def __call__(self) -> datetime:
        return datetime.combine(self.day, time(9), UTC)


def open_storage(kind: str = "memory") -> Storage:
    store: Storage = MemoryStorage() if kind == "memory" else SQLiteStorage(":memory:")
    store.migrate()
    return store


def store_world(
    storage: Storage, cents: list[int], *, customer: str = "42", first: int = 1
) -> list[Invoice]:
    invoices = [invoice(first + n, c, customer=customer) for n, c in enumerate(cents)]
    account = CustomerAccount(customer_id=customer, currency="EUR")
    for doc in invoices:
        account = account.add(OpenItem.from_document(doc))
    with storage.transaction() as tx:
        tx.save_account(account, version=0)
        for doc in invoices:
            tx.save_document(doc, version=0)
    return invoices


def arrangements(
    storage: Storage, clock: Clock, terms: InstalmentTerms | None = None
) -> Arrangements:
    return Arrangements(storage, terms=terms, clock=clock)


def pay(storage: Storage, key: str, cents: int, *, on: date, payment_id: str) -> None:
    """Book a payment of ``cents`` on the item ``key`` straight on the stored account."""
    with storage.transaction() as tx:
        stored = tx.load_account("42")
        assert stored is not None
        result = stored.value.allocate(
            Money.from_minor(cents, "EUR"),
            strategy=Strategy.SPECIFIED,
            specified=[key],
            paid_on=on,
            payment_id=payment_id,
        )
        tx.save_account(stored.value.apply(result), version=stored.version)


def account(storage: Storage, customer: str = "42") -> CustomerAccount:
    with storage.transaction(read_only=True) as tx:
        stored = tx.load_account(customer)
    assert stored is not None
    return stored.value


def topics(storage: Storage) -> list[str]:
    with storage.transaction(read_only=True) as tx:
        return [message.topic for message in tx.outbox(limit=1000)]


def due(storage: Storage, portal: Arrangements, on: date) -> list[str]:
    """The invoice numbers the dunning policy reminds of on ``on``, honouring the holds,
    the due dates of accepted extensions and the instalments of active plans."""
    return list(demanded(storage, portal, on))


def demanded(storage: Storage, portal: Arrangements, on: date) -> dict[str, Money]:
    """What the reminders of ``on`` demand per invoice number (see :func:`due`)."""
    with storage.transaction(read_only=True) as tx:
        documents = [d.value for d in tx.documents_of("42")]
    proposals = POLICY.due(
        account(storage),
        documents,
        on=on,
        blocks=portal.blocks("42", on=on),
        due_dates=portal.due_dates("42"),
        instalments=portal.instalment_schedules("42"),
    )
    return {i.number: i.amount_open for p in proposals for i in p.invoices}
