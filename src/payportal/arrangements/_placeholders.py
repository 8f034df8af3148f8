"""Placeholders for instalment plans and holds, for the app's e-mails and pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from payportal.exceptions import ValidationError

if TYPE_CHECKING:
    from payportal.arrangements._instalments import PlanProgress
    from payportal.placeholders import PlaceholderRegistry

__all__ = ["register_placeholders"]


def _rows(progress: PlanProgress) -> tuple[tuple[object, ...], ...]:
    return tuple(
        (s.instalment.number, s.instalment.due_on, s.instalment.amount, s.open)
        for s in progress.instalments
    )


def register_placeholders(registry: PlaceholderRegistry) -> PlaceholderRegistry:
    """Register the ``InstalmentPlan`` and ``Hold`` objects on ``registry`` and return it.

    Render them with ``RenderContext(..., extra={"InstalmentPlan": progress, "Hold": hold})``
    (``progress`` from :meth:`Arrangements.progress`, ``hold`` from :meth:`Arrangements.hold`,
    or built from an outbox message's ids). Fields:

    * ``InstalmentPlan``: ``invoice_number``, ``count``, ``total``, ``fee``, ``paid``,
      ``open``, ``next_amount`` and ``next_due_date`` (the due instalment's open amount and
      date; nothing once paid), ``missed``, ``state``, ``instalments`` (one line per
      instalment: number, due date, amount, open).
    * ``Hold``: ``id``, ``kind``, ``state``, ``invoice_number``, ``reason``, ``message``
      (the merchant's answer), ``due_date`` (an extension's), ``opened_date``,
      ``attachment``, ``bank_entry``.

    >>> from payportal.placeholders import PlaceholderRegistry
    >>> registry = register_placeholders(PlaceholderRegistry())
    >>> "InstalmentPlan.next_amount" in registry, "Hold.message" in registry
    (True, True)

    Raises:
        ValidationError: ``registry`` is not a PlaceholderRegistry, or has these objects'
            fields registered already.
    """
    from payportal.placeholders import PlaceholderRegistry  # noqa: PLC0415 - no cycle at import

    if not isinstance(registry, PlaceholderRegistry):
        raise ValidationError("must be a PlaceholderRegistry", field="registry", value=registry)
    plan = "InstalmentPlan"
    add = registry.register
    add(plan, "invoice_number", lambda p: p.plan.invoice_number, kind="text")
    add(plan, "count", lambda p: len(p.plan.instalments), kind="number")
    add(plan, "total", lambda p: p.plan.total, kind="money")
    add(plan, "fee", lambda p: p.plan.fee, kind="money")
    add(plan, "paid", lambda p: p.paid, kind="money")
    add(plan, "open", lambda p: p.open, kind="money")
    add(plan, "next_amount", lambda p: None if p.due is None else p.due.open, kind="money")
    add(
        plan,
        "next_due_date",
        lambda p: None if p.due is None else p.due.instalment.due_on,
        kind="date",
    )
    add(plan, "missed", lambda p: p.missed, kind="number")
    add(plan, "state", lambda p: p.plan.state, kind="label")
    add(plan, "instalments", _rows, kind="list")
    hold = "Hold"
    add(hold, "id", lambda h: h.id, kind="text")
    add(hold, "kind", lambda h: h.kind, kind="label")
    add(hold, "state", lambda h: h.state, kind="label")
    add(hold, "invoice_number", lambda h: h.invoice_number, kind="text")
    add(hold, "reason", lambda h: h.reason, kind="multiline")
    add(hold, "message", lambda h: h.message, kind="multiline")
    add(hold, "due_date", lambda h: h.due_on, kind="date")
    add(hold, "opened_date", lambda h: h.opened_at.date(), kind="date")
    add(hold, "attachment", lambda h: h.attachment, kind="text")
    add(hold, "bank_entry", lambda h: h.bank_entry, kind="text")
    return registry
