"""The storage behind the library's other state: bank transfers, provider orders, links."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import TYPE_CHECKING, Generic, TypeVar

from payportal.exceptions import ValidationError

if TYPE_CHECKING:
    from payportal.providers.bank_transfer import Transfer
    from payportal.storage._transaction import Storage

__all__ = ["StorageLinkVersions", "StorageOrders", "StorageTransferStore"]

T = TypeVar("T")


class StorageTransferStore:
    """A :class:`~payportal.providers.bank_transfer.TransferStore` in a storage.

    ``BankTransfer(account, store=StorageTransferStore(storage))`` keeps bank-transfer
    payments in the database: the reference numbers come from a sequence, a reference or id
    is unique by constraint, and :meth:`replace` is a compare-and-swap on the version, so
    several processes can share it. Each call is its own transaction.

    Args:
        storage: a migrated storage.
        sequence: the name of the number sequence; stores that must not share numbers use
            different names.
        start: the first number handed out.
    """

    def __init__(self, storage: Storage, *, sequence: str = "bank_transfer", start: int = 1):
        if not isinstance(start, int) or isinstance(start, bool) or start < 1:
            raise ValidationError("must be a positive integer", field="start", value=start)
        self._storage = storage
        self._sequence = sequence
        self._start = start

    def __repr__(self) -> str:
        return f"StorageTransferStore({self._storage!r}, sequence={self._sequence!r})"

    def next_number(self) -> int:
        """See :meth:`TransferStore.next_number`."""
        with self._storage.transaction() as tx:
            return tx.next_number(self._sequence, start=self._start)

    def add(self, transfer: Transfer) -> bool:
        """See :meth:`TransferStore.add`."""
        with self._storage.transaction() as tx:
            return tx.add_transfer(transfer)

    def get(self, payment_id: str) -> Transfer | None:
        """See :meth:`TransferStore.get`."""
        with self._storage.transaction(read_only=True) as tx:
            return tx.load_transfer(payment_id)

    def find(self, reference: str) -> Transfer | None:
        """See :meth:`TransferStore.find`."""
        with self._storage.transaction(read_only=True) as tx:
            return tx.find_transfer(reference)

    def replace(self, transfer: Transfer) -> bool:
        """See :meth:`TransferStore.replace`."""
        with self._storage.transaction() as tx:
            return tx.replace_transfer(transfer)


class StorageOrders(MutableMapping[str, T], Generic[T]):
    """A provider's orders by reference, kept in a storage: pass it as BillPay's ``orders``.

    ``BillPay(..., orders=StorageOrders(storage, "billpay", BillPayOrder))``. Each access is
    its own transaction; values are stored whole.

    Args:
        storage: a migrated storage.
        provider: the provider's name; orders of different providers never mix.
        type_: the order model, used to load stored orders.
    """

    def __init__(self, storage: Storage, provider: str, type_: type[T]) -> None:
        if not isinstance(provider, str) or not provider:
            raise ValidationError("must be a provider name", field="provider", value=provider)
        self._storage = storage
        self._provider = provider
        self._type = type_

    def __repr__(self) -> str:
        return f"StorageOrders({self._storage!r}, {self._provider!r})"

    def __getitem__(self, reference: str) -> T:
        if not isinstance(reference, str) or not reference:
            raise KeyError(reference)
        with self._storage.transaction(read_only=True) as tx:
            order = tx.load_order(self._provider, reference, self._type)
        if order is None:
            raise KeyError(reference)
        return order

    def __setitem__(self, reference: str, order: T) -> None:
        if not isinstance(order, self._type):
            raise ValidationError(
                f"must be a {self._type.__name__}", field=f"orders[{reference!r}]", value=order
            )
        with self._storage.transaction() as tx:
            tx.save_order(self._provider, reference, order)

    def __delitem__(self, reference: str) -> None:
        if not isinstance(reference, str) or not reference:
            raise KeyError(reference)
        with self._storage.transaction() as tx:
            deleted = tx.delete_order(self._provider, reference)
        if not deleted:
            raise KeyError(reference)

    def __iter__(self) -> Iterator[str]:
        with self._storage.transaction(read_only=True) as tx:
            references = tx.order_references(self._provider)
        return iter(references)

    def __len__(self) -> int:
        with self._storage.transaction(read_only=True) as tx:
            return len(tx.order_references(self._provider))

    def __contains__(self, reference: object) -> bool:
        if not isinstance(reference, str) or not reference:
            return False
        with self._storage.transaction(read_only=True) as tx:
            return tx.load_order(self._provider, reference, self._type) is not None


class StorageLinkVersions:
    """A :class:`~payportal.links.LinkVersions` in a storage, for ``LinkSigner(versions=...)``.

    Revoke a customer's links with :meth:`revoke` (or ``tx.revoke_links`` inside a larger
    transaction); sign new links with the version it returns.
    """

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    def __repr__(self) -> str:
        return f"StorageLinkVersions({self._storage!r})"

    def current_version(self, customer_id: str) -> int:
        """The customer's current link version (``1`` until first revoked)."""
        with self._storage.transaction(read_only=True) as tx:
            return tx.link_version(customer_id)

    def revoke(self, customer_id: str) -> int:
        """Revoke every link of the customer; return the new version."""
        with self._storage.transaction() as tx:
            return tx.revoke_links(customer_id)
