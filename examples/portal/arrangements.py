"""Instalment plans, disputes, "already paid" claims and extensions in the example portal.

The customer's page ``/portal/<token>/documents/<id>/arrangements`` shows the invoice's plan
(each instalment, what of it is paid, which is due) and every dispute, claim and extension
request with each step, and offers the forms to ask for them. The merchant's demo page
``/merchant/arrangements`` lists them for every customer and resolves them. All of it goes
through :class:`payportal.arrangements.Arrangements`, which keeps the records in the portal's
storage and writes journal entries and outbox messages with every step.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Final

from flask import Flask, abort, flash, redirect, render_template, request, url_for

from examples.portal.i18n import N_
from payportal import Money
from payportal.arrangements import Arrangements, HoldState, InstalmentTerms, Party
from payportal.documents import Invoice
from payportal.exceptions import AccessDeniedError, InvalidTransitionError, ValidationError
from payportal.portal import Action

if TYPE_CHECKING:
    from werkzeug.wrappers import Response

    from payportal.documents import Document

__all__ = ["DEMO_TERMS", "ArrangementPages"]

#: What the demo merchant lets customers ask for themselves.
DEMO_TERMS: Final = InstalmentTerms(
    max_instalments=6,
    minimum_instalment=Money("25.00", "EUR"),
    interval_days=30,
    first_within_days=30,
    grace_days=3,
    cancel_after_missed=2,
)

#: Who took a step, as the customer's page says it (kinds and states are payportal's labels).
PARTIES: Final = {Party.CUSTOMER: N_("You"), Party.MERCHANT: N_("We")}

_DECISIONS: Final = {
    "accept": HoldState.ACCEPTED,
    "reject": HoldState.REJECTED,
    "match": HoldState.MATCHED,
}


class ArrangementPages:
    """The routes of the arrangements pages, on the portal's routes object ``host`` (the
    example's ``_Portal``: its link checks, store, clock and texts)."""

    def __init__(self, host: Any, *, terms: InstalmentTerms = DEMO_TERMS) -> None:
        self.host = host
        self.arrangements = Arrangements(host.store.storage, terms=terms, clock=host.clock)

    def register(self, app: Flask) -> None:
        app.extensions["payportal"]["arrangements"] = self.arrangements
        app.context_processor(lambda: {"instalment_due": self.instalment_due, "party": PARTIES.get})
        app.add_url_rule(
            "/portal/<token:token>/documents/<doc_id>/arrangements",
            "arrangements",
            self.page,
            methods=["GET", "POST"],
        )
        app.add_url_rule(
            "/merchant/arrangements", "merchant_arrangements", self.merchant, methods=["GET"]
        )
        app.add_url_rule(
            "/merchant/arrangements/<customer_id>/<hold_id>/<decision>",
            "merchant_decide",
            self.decide,
            methods=["POST"],
        )

    def _today(self) -> date:
        today: date = self.host.clock().date()
        return today

    def instalment_due(self, document: Document) -> Money | None:
        """What the document page asks for: the due instalment of an active plan."""
        if not isinstance(document, Invoice):
            return None
        return self.arrangements.amount_due(document.id, on=self._today())

    # -- the customer -------------------------------------------------------------------------

    def page(self, token: str, doc_id: str) -> Any:
        host = self.host
        scope = host._scope("customer", token)
        document = host._own_document(scope, doc_id)
        host._check(scope, document, Action.VIEW)
        if not isinstance(document, Invoice):
            abort(404, host._gettext("Only invoices can be paid in instalments or disputed."))
        error = None
        if request.method == "POST":
            try:
                message = self._ask(scope.customer.id, document)
            except (ValidationError, InvalidTransitionError, AccessDeniedError) as problem:
                error = host._customer_message(problem)
            else:
                flash(message)
                return redirect(url_for("arrangements", token=token, doc_id=doc_id), 303)
        today = self._today()
        holds = [h for h in self.arrangements.holds(scope.customer.id) if h.invoice_id == doc_id]
        page = render_template(
            "arrangements_page.html",
            scope=scope,
            document=document,
            progress=self.arrangements.progress(doc_id, on=today),
            holds=holds,
            open_hold=next((h for h in holds if not h.resolved), None),
            terms=self.arrangements.terms,
            counts=range(2, (self.arrangements.terms or DEMO_TERMS).max_instalments + 1),
            first_due=today + timedelta(days=14),
            later_due=(document.due_on or today) + timedelta(days=30),
            today=today,
            error=error,
        )
        return (page, 400) if error else page

    def _ask(self, customer_id: str, document: Invoice) -> str:
        _ = self.host._gettext
        form = request.form
        kind = form.get("kind", "")
        if kind == "instalments":
            plan = self.arrangements.request_instalments(
                customer_id,
                document.id,
                count=_int(form.get("count", ""), "count"),
                first_due_on=_day(form.get("first_due_on", ""), "first_due_on"),
            )
            return _("Your instalment plan is agreed: %(count)s instalments.") % {
                "count": len(plan.instalments)
            }
        if kind == "dispute":
            self.arrangements.dispute(customer_id, document.id, reason=form.get("reason", ""))
            return _(
                "Thank you. We will look into your objection; until then we send no reminders."
            )
        if kind == "paid":
            self.arrangements.claim_paid(
                customer_id,
                document.id,
                note=form.get("note", ""),
                attachment=form.get("attachment", "").strip() or None,
            )
            return _("Thank you. We will look for your payment; until then we send no reminders.")
        if kind == "extension":
            self.arrangements.request_extension(
                customer_id,
                document.id,
                due_on=_day(form.get("due_on", ""), "due_on"),
                reason=form.get("reason", ""),
            )
            return _("Thank you. We will answer your request; until then we send no reminders.")
        raise ValidationError(
            "must be instalments, dispute, paid or extension", field="kind", value=kind
        )

    # -- the merchant (demo only) --------------------------------------------------------------

    def merchant(self) -> str:
        store = self.host.store
        rows = []
        for customer in store.customers.values():
            plans = [
                progress
                for document in store.documents_of(customer.id)
                if isinstance(document, Invoice)
                for progress in [self.arrangements.progress(document.id, on=self._today())]
                if progress is not None
            ]
            rows.append(
                {
                    "customer": customer,
                    "holds": self.arrangements.holds(customer.id),
                    "plans": plans,
                }
            )
        return render_template("arrangements_merchant.html", rows=rows)

    def decide(self, customer_id: str, hold_id: str, decision: str) -> Response:
        state = _DECISIONS.get(decision)
        if state is None:
            abort(404, self.host._gettext("There is no such action."))
        message = request.form.get("message", "")
        try:
            if state is HoldState.ACCEPTED:
                self.arrangements.accept(customer_id, hold_id, message=message)
            elif state is HoldState.REJECTED:
                self.arrangements.reject(customer_id, hold_id, message=message)
            else:
                self.arrangements.match(
                    customer_id,
                    hold_id,
                    bank_entry=request.form.get("bank_entry", ""),
                    message=message,
                )
        except (ValidationError, InvalidTransitionError) as problem:
            flash(self.host._customer_message(problem))
        else:
            flash(self.host._gettext("Saved."))
        return redirect(url_for("merchant_arrangements"), 303)


def _int(text: str, field: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValidationError("must be a whole number", field=field, value=text) from None


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError("must be a date (YYYY-MM-DD)", field=field, value=text) from None
