"""Pay several documents at once: the customer's selection, or everything overdue.

One checkout, one reference, one provider payment for all the chosen documents. The
documents become the intent's items in the *payment order*, which is also the order the
money is allocated in when it arrives (by the provider's return, a webhook, a poll or a
bank statement: every path books through the same intent):

1. the earliest due date first (a document without one counts from its issue date),
2. then the earliest issue date,
3. then the document number.

A reminder brings the invoices it reminds of along; together they are paid costs first,
then interest, then principal, oldest first (see :func:`payportal.allocation.allocate`).
Money the chosen items do not need follows the intent's overpayment policy; it never
settles a document the customer did not choose.

The reference is an ISO 11649 creditor reference (``RF…``) made for this checkout alone.
A bank-transfer provider makes its own, in the scheme it is configured with (RF, or the
merchant's :class:`~payportal.references.Template`); the intent then keeps that one, so the
reference the payer writes on the transfer is the intent's, and
:meth:`Portal.receive <payportal.booking.Portal.receive>` finds the payment by it.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import TYPE_CHECKING

import attrs

from payportal.booking._book import load_intent, load_payable, save_intent
from payportal.documents import PayableDocument, PaymentState
from payportal.exceptions import ValidationError
from payportal.references import rf

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from payportal.booking._portal import Checkout, Portal
    from payportal.storage import Storage

__all__ = ["new_reference", "overdue_documents", "pay_overdue", "pay_selected", "payment_order"]


def new_reference() -> str:
    """A fresh compact ISO 11649 creditor reference with a random 16-character body
    (64 random bits), such as ``RF471A2B3C4D5E6F7081``."""
    return rf.generate(secrets.token_hex(8).upper())


def _order_key(document: PayableDocument) -> tuple[date, date, str]:
    return (document.due_on or document.issued_on, document.issued_on, document.number)


def payment_order(documents: Iterable[PayableDocument]) -> list[PayableDocument]:
    """``documents`` in the payment order: earliest due date (or issue date, for a document
    without one) first, then earliest issue date, then document number.

    >>> from datetime import date
    >>> from payportal.documents import Invoice
    >>> docs = [Invoice(id=n, number=n, customer_id="42", issued_on=date(2026, 1, d),
    ...                 due_on=date(2026, 2, due)) for n, d, due in
    ...         [("RE-3", 3, 1), ("RE-1", 1, 14), ("RE-2", 2, 1)]]
    >>> [d.number for d in payment_order(docs)]
    ['RE-2', 'RE-3', 'RE-1']

    Raises:
        ValidationError: an element is not an invoice or reminder.
    """
    chosen = list(documents)
    for document in chosen:
        if not isinstance(document, PayableDocument):
            raise ValidationError(
                "must hold only invoices and reminders", field="documents", value=document
            )
    return sorted(chosen, key=_order_key)


def overdue_documents(storage: Storage, customer_id: str, *, on: date) -> list[PayableDocument]:
    """The customer's documents overdue on ``on`` (something due, due date before ``on``),
    in the payment order.

    Raises:
        ValidationError: ``on`` is not a date.
    """
    if not isinstance(on, date):
        raise ValidationError("must be a date", field="on", value=on)
    with storage.transaction() as tx:
        stored = tx.documents_of(customer_id)
    return payment_order(
        d.value
        for d in stored
        if isinstance(d.value, PayableDocument)
        and d.value.state not in (PaymentState.PAID, PaymentState.CANCELLED)
        and d.value.is_overdue(on)
    )


def _load(portal: Portal, ids: list[str]) -> list[PayableDocument]:
    with portal.storage.transaction() as tx:
        return [load_payable(tx, document_id) for document_id in ids]


def pay_selected(
    portal: Portal,
    customer_id: str,
    documents: Iterable[str],
    *,
    method: str,
    provider: str | None = None,
    description: str | None = None,
    customer_email: str | None = None,
    metadata: Mapping[str, str] | None = None,
    reference: Callable[[], str] = new_reference,
) -> Checkout:
    """One checkout for the documents ``documents`` (ids) of ``customer_id``.

    The intent's items are the documents in the payment order (see the module), the amount
    is what is open on them, and the reference comes from ``reference`` (a new RF creditor
    reference) unless the provider makes its own (bank transfer), which the intent then
    keeps.

    Args:
        portal: the app's :class:`~payportal.booking.Portal`.
        customer_id: who pays.
        documents: the chosen document ids, in any order; duplicates count once.
        method, provider, description, customer_email, metadata: as for
            :meth:`Portal.pay <payportal.booking.Portal.pay>`.
        reference: makes the checkout's reference (tests inject a fixed one).

    Returns:
        The :class:`~payportal.booking.Checkout`; ``checkout.intent.reference`` is the
        reference the payer sees.

    Raises:
        ValidationError: no document is chosen, or one is unknown, not an invoice or
            reminder, paid or cancelled.
        AccessDeniedError: a document belongs to another customer.
        ProviderError: as for :meth:`Portal.pay <payportal.booking.Portal.pay>`.
    """
    ids = [documents] if isinstance(documents, str) else list(dict.fromkeys(documents))
    if not ids:
        raise ValidationError("must name at least one document", field="documents", value=[])
    ordered = [d.id for d in payment_order(_load(portal, ids))]
    checkout = portal.pay(
        customer_id,
        method=method,
        documents=ordered,
        provider=provider,
        reference=reference(),
        description=description,
        customer_email=customer_email,
        metadata=metadata,
    )
    shown = checkout.payment.instructions.get("reference")
    if not shown or shown == checkout.intent.reference:
        return checkout
    # The provider made the reference the payer will write (bank transfer): the intent
    # keeps it, so the merchant finds the intent by what arrives on the statement.
    with portal.storage.transaction() as tx:
        current = load_intent(tx, checkout.intent.id)
        assert current is not None  # pay() stored it
        kept = attrs.evolve(current, reference=shown)
        save_intent(tx, kept, link=False)
    return attrs.evolve(checkout, intent=kept)


def pay_overdue(
    portal: Portal,
    customer_id: str,
    *,
    on: date,
    method: str,
    provider: str | None = None,
    description: str | None = None,
    customer_email: str | None = None,
    metadata: Mapping[str, str] | None = None,
    reference: Callable[[], str] = new_reference,
) -> Checkout:
    """One checkout for every document of ``customer_id`` overdue on ``on``
    (:func:`overdue_documents`); otherwise as :func:`pay_selected`.

    Raises:
        ValidationError: nothing is overdue (``field`` is ``"documents"``), or as
            :func:`pay_selected`.
    """
    overdue = overdue_documents(portal.storage, customer_id, on=on)
    if not overdue:
        raise ValidationError(
            f"holds nothing overdue on {on.isoformat()}", field="documents", value=customer_id
        )
    return pay_selected(
        portal,
        customer_id,
        [d.id for d in overdue],
        method=method,
        provider=provider,
        description=description,
        customer_email=customer_email,
        metadata=metadata,
        reference=reference,
    )
