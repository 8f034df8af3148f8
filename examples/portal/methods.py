"""The customer's payment methods in the example portal: SEPA mandates and saved methods.

The customer's page ``/portal/<token>/payment-methods`` shows the active mandate (scheme,
masked IBAN, reference, through payportal's ``[Client.…]`` placeholders), earlier mandates
with their state, and the methods saved at providers; it offers the form to grant a SEPA
direct debit mandate (the mandate text in the customer's language, explicit consent) and to
revoke it. :class:`payportal.AccessPolicy` decides (``GRANT_MANDATE``, ``REVOKE_MANDATE``);
the mandates live in the portal's storage (:meth:`payportal.Portal.grant_mandate`).

The merchant's demo page ``/merchant/direct-debit`` collects what is due by direct debit
(:meth:`payportal.Portal.collect`, one pain.008 file) and, to show what happens when the
debtor's bank sends the money back, imports a camt.054 return for a collection, built by
:func:`camt054_return` and read like any bank file (:func:`payportal.reconciliation.parse_camt`,
then :meth:`payportal.Portal.receive`).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # writing only; parsing goes through defusedxml
from typing import TYPE_CHECKING, Any, Final

from flask import Flask, abort, flash, redirect, render_template, request, url_for

from examples.portal.i18n import N_
from payportal.booking import CollectionState, DirectDebitCollection
from payportal.exceptions import AccessDeniedError, ValidationError
from payportal.mandates import (
    RETURN_REASONS,
    Creditor,
    Mandate,
    MandateStateError,
    Scheme,
    mandate_text,
)
from payportal.placeholders import RenderContext, Template
from payportal.portal import PAYMENT_METHOD_ACTIONS, Action
from payportal.reconciliation import parse_camt

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import date, datetime

    from werkzeug.wrappers import Response

    from payportal.customers import Customer

__all__ = ["MethodPages", "camt054_return"]

#: The return reason the demo's merchant page imports: the debtor's account is closed, so
#: the mandate is blocked.
DEMO_RETURN_REASON: Final = "AC04"

#: The active method, as the customer's e-mails would say it: payportal's placeholders.
METHOD_SUMMARY: Final = Template.compile(
    "[Client.payment_method] · [Client.masked_iban] · [Client.mandate_reference]"
)

#: The collection states as the merchant page shows them (translated when shown).
COLLECTION_LABELS: Final = {
    CollectionState.PENDING: N_("pending"),
    CollectionState.CONFIRMED: N_("collected"),
    CollectionState.RETURNED: N_("returned"),
}

_CAMT054: Final = "urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"


class MethodPages:
    """The routes of the payment-method pages, on the portal's routes object ``host`` (the
    example's ``_Portal``: its link checks, store, clock, texts and :class:`~payportal.Portal`).
    """

    def __init__(self, host: Any) -> None:
        self.host = host

    @property
    def _creditor(self) -> Creditor:
        creditor: Creditor | None = self.host.store.creditor
        if creditor is None:
            abort(404, self.host._gettext("This portal does not offer direct debit."))
        return creditor

    def register(self, app: Flask) -> None:
        app.add_url_rule(
            "/portal/<token:token>/payment-methods",
            "payment_methods",
            self.page,
            methods=["GET", "POST"],
        )
        app.add_url_rule(
            "/merchant/direct-debit", "merchant_direct_debit", self.merchant, methods=["GET"]
        )
        app.add_url_rule(
            "/merchant/direct-debit/<customer_id>/collect",
            "merchant_collect",
            self.collect,
            methods=["POST"],
        )
        app.add_url_rule(
            "/merchant/direct-debit/<customer_id>/return/<end_to_end_id>",
            "merchant_return",
            self.return_collection,
            methods=["POST"],
        )
        app.context_processor(lambda: {"collection_label": COLLECTION_LABELS.get})

    # -- the customer -------------------------------------------------------------------------

    def page(self, token: str) -> Any:
        host = self.host
        scope = host._scope("customer", token)
        customer: Customer = scope.customer
        portal = host.portal
        active = portal.active_mandate(customer.id)
        saved = portal.saved_methods(customer.id)
        allowed = {
            action
            for action in host.policy.payment_method_actions(
                customer, has_mandate=active is not None, has_saved_method=bool(saved)
            )
            if scope.claims.allows(action)
        }
        if not allowed and not (host.policy.account_actions(customer) & PAYMENT_METHOD_ACTIONS):
            # Nothing to see or do: say why (the settings or the customer's access).
            host.policy.check_payment_method(customer, Action.GRANT_MANDATE)
        error = error_field = None
        if request.method == "POST":
            try:
                message = self._act(scope, active, saved_methods=bool(saved))
            except ValidationError as invalid:
                error = host._customer_message(invalid)
                error_field = invalid.field
            else:
                flash(message)
                return redirect(url_for("payment_methods", token=token), 303)
        page = render_template(
            "methods_page.html",
            scope=scope,
            active=active,
            summary=self._summary(customer, active),
            earlier=[
                m
                for m in reversed(portal.mandates(customer.id))
                if active is None or m.reference != active.reference
            ],
            saved=saved,
            debits=self._debits(customer.id),
            allowed=allowed,
            mandate_text=self._mandate_text(),
            values=request.form if error else {"holder": customer.name},
            error=error,
            error_field=error_field,
        )
        return (page, 400) if error else page

    def _debits(self, customer_id: str) -> list[dict[str, Any]]:
        """The customer's direct debits, newest first, each with the open return fee of a
        returned one (the account's item ``RLS-<end-to-end id>``)."""
        fees = {
            item.key: item.amount_open
            for item in self.host.store.accounts[customer_id].open_items
            if item.key.startswith("RLS-")
        }
        return [
            {"record": record, "fee": fees.get(f"RLS-{record.end_to_end_id}")}
            for record in reversed(self.host.portal.direct_debits(customer_id))
        ]

    def _summary(self, customer: Customer, active: Mandate | None) -> str | None:
        if active is None:
            return None
        context = RenderContext(customer=customer, payment_method=active)
        return METHOD_SUMMARY.render(context, locale=self.host._locale())

    def _mandate_text(self) -> str:
        """The mandate text in the page's language, as the customer consents to it. The
        reference is given when the mandate is stored, so the text says so."""
        return mandate_text(
            Scheme.CORE,
            self.host._language(),
            creditor_name=self._creditor.name,
            creditor_id=self._creditor.creditor_id,
            mandate_reference=self.host._gettext("given to you once the mandate is granted"),
        )

    def _act(self, scope: Any, active: Mandate | None, *, saved_methods: bool) -> str:
        host = self.host
        _: Callable[[str], str] = host._gettext
        customer: Customer = scope.customer
        form = request.form
        wanted = {"grant": Action.GRANT_MANDATE, "revoke": Action.REVOKE_MANDATE}.get(
            form.get("do", "")
        )
        if wanted is None:
            abort(404, _("There is no such action."))
        if not scope.claims.allows(wanted):
            raise AccessDeniedError(f"this link does not allow to {wanted.verb}")
        host.policy.check_payment_method(
            customer, wanted, has_mandate=active is not None, has_saved_method=saved_methods
        )
        if wanted is Action.REVOKE_MANDATE:
            assert active is not None  # the policy refused otherwise
            try:
                host.portal.revoke_mandate(customer.id, active.reference)
            except MandateStateError:
                abort(409, _("This mandate is no longer active."))
            return _("Your mandate %(reference)s is revoked; we will not collect on it again.") % {
                "reference": active.reference
            }
        if form.get("consent") != "yes":
            raise ValidationError(
                "must be given: tick the box to agree to the mandate text",
                field="consent",
                value=None,
            )
        mandate = host.portal.grant_mandate(
            customer.id,
            iban=form.get("iban", ""),
            holder=form.get("holder", ""),
            bic=form.get("bic", "").strip() or None,
            consent_text=self._mandate_text(),
        )
        return _("Thank you: your mandate %(reference)s is active.") % {
            "reference": mandate.reference
        }

    # -- the merchant (demo only) --------------------------------------------------------------

    def merchant(self) -> str:
        host = self.host
        rows = [
            {
                "customer": customer,
                "active": host.portal.active_mandate(customer.id),
                "mandates": host.portal.mandates(customer.id),
                "collections": host.portal.direct_debits(customer.id),
            }
            for customer in host.store.customers.values()
        ]
        return render_template(
            "methods_merchant.html",
            rows=rows,
            reason=RETURN_REASONS[DEMO_RETURN_REASON],
            fee=host.store.return_fee,
        )

    def collect(self, customer_id: str) -> Response:
        host = self.host
        _ = host._gettext
        if customer_id not in host.store.customers:
            abort(404, _("There is no such customer."))
        try:
            batch = host.portal.collect(on=host.clock().date(), customer_ids=[customer_id])
        except (ValidationError, MandateStateError) as problem:  # an unusable mandate too
            flash(host._customer_message(problem))
        else:
            if batch:
                flash(
                    _("pain.008 %(message_id)s written: %(count)s collections, %(total)s.")
                    % {
                        "message_id": batch.message_id,
                        "count": len(batch),
                        "total": host._money(batch.total),
                    }
                )
            else:
                flash(_("Nothing new is due from this customer."))
        return redirect(url_for("merchant_direct_debit"), 303)

    def return_collection(self, customer_id: str, end_to_end_id: str) -> Response:
        host = self.host
        _ = host._gettext
        record = next(
            (c for c in host.portal.direct_debits(customer_id) if c.end_to_end_id == end_to_end_id),
            None,
        )
        if record is None:
            abort(404, _("There is no such collection."))
        today = host.clock().date()
        xml = camt054_return(
            record, self._creditor, reason=DEMO_RETURN_REASON, booked_on=today, at=host.clock()
        )
        for statement in parse_camt(xml, source="camt.054 return"):
            for entry in statement.entries:
                host.portal.receive(entry)
        flash(
            _("camt.054 imported: collection %(id)s returned (%(reason)s).")
            % {"id": end_to_end_id, "reason": DEMO_RETURN_REASON}
        )
        return redirect(url_for("merchant_direct_debit"), 303)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = text
    return element


def camt054_return(
    collection: DirectDebitCollection,
    creditor: Creditor,
    *,
    reason: str,
    booked_on: date,
    at: datetime,
) -> bytes:
    """A camt.054.001.08 debit notification in which the creditor's bank reports that
    ``collection`` came back with the ISO return ``reason`` (``RtrInf/Rsn/Cd``): one entry,
    a reversal (``RvslInd``) debiting the collected amount, bank transaction code
    PMNT/RDDT/UPDD, with the collection's message, block, end-to-end id and mandate.

    For the demo and tests only: a real return comes from the bank.

    Raises:
        ValidationError: ``reason`` is not an ISO return reason payportal knows.
    """
    if reason not in RETURN_REASONS:
        raise ValidationError("is not a known return reason", field="reason", value=reason)
    notification_id = f"RTN-{collection.end_to_end_id}"
    created = at.isoformat(timespec="seconds")
    amount = str(collection.amount.amount)
    currency = collection.amount.currency
    document = ET.Element("Document", {"xmlns": _CAMT054})
    root = _sub(document, "BkToCstmrDbtCdtNtfctn")
    header = _sub(root, "GrpHdr")
    _sub(header, "MsgId", notification_id)
    _sub(header, "CreDtTm", created)
    notification = _sub(root, "Ntfctn")
    _sub(notification, "Id", notification_id + "-1")
    _sub(notification, "CreDtTm", created)
    account = _sub(notification, "Acct")
    _sub(_sub(account, "Id"), "IBAN", creditor.iban)
    _sub(account, "Ccy", currency)
    entry = _sub(notification, "Ntry")
    _sub(entry, "Amt", amount, Ccy=currency)
    _sub(entry, "CdtDbtInd", "DBIT")
    _sub(entry, "RvslInd", "true")
    _sub(_sub(entry, "Sts"), "Cd", "BOOK")
    _sub(_sub(entry, "BookgDt"), "Dt", booked_on.isoformat())
    _sub(_sub(entry, "ValDt"), "Dt", max(collection.due_date, booked_on).isoformat())
    _sub(entry, "AcctSvcrRef", notification_id)
    _transaction_code(entry)
    details = _sub(_sub(entry, "NtryDtls"), "TxDtls")
    refs = _sub(details, "Refs")
    _sub(refs, "MsgId", collection.message_id)
    _sub(refs, "PmtInfId", collection.block_id)
    _sub(refs, "EndToEndId", collection.end_to_end_id)
    _sub(refs, "MndtId", collection.mandate_reference)
    _sub(details, "Amt", amount, Ccy=currency)
    _sub(details, "CdtDbtInd", "DBIT")
    _transaction_code(details)
    _sub(_sub(_sub(details, "RtrInf"), "Rsn"), "Cd", reason)
    written: bytes = ET.tostring(document, encoding="utf-8", xml_declaration=True)
    return written


def _transaction_code(parent: ET.Element) -> None:
    domain = _sub(_sub(parent, "BkTxCd"), "Domn")
    _sub(domain, "Cd", "PMNT")
    family = _sub(domain, "Fmly")
    _sub(family, "Cd", "RDDT")
    _sub(family, "SubFmlyCd", "UPDD")
