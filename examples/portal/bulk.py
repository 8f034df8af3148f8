"""Several documents at once in the example portal, and the customer's uploads.

On the overview the customer ticks documents and

* **pays the selection** (``/portal/<token>/pay-selected``): a page lists the chosen invoices
  and reminders in the order the money will settle them, with the total, and one payment
  for all of them starts (:func:`payportal.booking.pay_selected`: one reference, one
  provider payment);
* **pays everything overdue** (``/portal/<token>/pay-overdue``): the same page for the
  documents overdue today (:func:`payportal.booking.pay_overdue`);
* **downloads the selection as ZIP** (``/portal/<token>/selection``, ``do=zip``): the PDFs
  and, where offered, the e-invoices, streamed (:func:`payportal.downloads.zip_documents`).

On a document page (customer link) the customer uploads a proof of payment (invoices,
reminders) or a purchase order (offers), checked by :func:`payportal.uploads.accept_upload`
(PDF, PNG or JPEG by content, at most 10 MiB) and sent back only as an attachment
(:func:`payportal.uploads.upload_response`). The demo keeps uploads in memory
(:class:`payportal.testing.MemoryFileStore`); a real app passes its own
:class:`payportal.uploads.FileStore`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from flask import Flask, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from payportal import Action, Money, ValidationError
from payportal.booking import overdue_documents, pay_overdue, pay_selected, payment_order
from payportal.documents import Document, Offer, PayableDocument
from payportal.downloads import zip_documents
from payportal.exceptions import ProviderError
from payportal.testing import MemoryFileStore
from payportal.uploads import MAX_SIZE, FileStore, UploadKind, accept_upload, upload_response

if TYPE_CHECKING:
    from collections.abc import Callable

    from payportal.booking import Checkout
    from payportal.portal import DownloadFormat
    from payportal.uploads import Upload

__all__ = ["BulkPages"]

log = logging.getLogger(__name__)


def upload_kind(document: Document) -> UploadKind | None:
    """What a customer may upload for ``document``: a proof of payment for what asks for
    money, a purchase order for an offer, nothing for other documents."""
    if isinstance(document, PayableDocument):
        return UploadKind.PROOF_OF_PAYMENT
    if isinstance(document, Offer):
        return UploadKind.PURCHASE_ORDER
    return None


class BulkPages:
    """The routes for several documents at once and for uploads, on the portal's routes
    object ``host`` (the example's ``_Portal``: its link checks, store, policy, files, texts
    and :class:`~payportal.Portal`)."""

    def __init__(self, host: Any, files: FileStore | None = None) -> None:
        self.host = host
        self.uploads: FileStore = files if files is not None else MemoryFileStore()

    def register(self, app: Flask) -> None:
        rules: list[tuple[str, str, Callable[..., Any], list[str]]] = [
            ("/portal/<token:token>/selection", "bulk_selection", self.selection, ["POST"]),
            ("/portal/<token:token>/pay-selected", "bulk_pay_selected", self.pay_chosen, ["POST"]),
            (
                "/portal/<token:token>/pay-overdue",
                "bulk_pay_overdue",
                self.pay_overdue,
                ["GET", "POST"],
            ),
            (
                "/portal/<token:token>/documents/<doc_id>/uploads",
                "bulk_upload",
                self.upload,
                ["POST"],
            ),
            (
                "/portal/<token:token>/uploads/<upload_id>",
                "bulk_upload_file",
                self.upload_file,
                ["GET"],
            ),
        ]
        for rule, endpoint, view, verbs in rules:
            app.add_url_rule(rule, endpoint, view, methods=verbs)
        app.context_processor(
            lambda: {
                "bulk_uploads": self._uploads_for,
                "bulk_overdue": self._overdue,
                "upload_kind": upload_kind,
                "max_upload_mib": MAX_SIZE // (1024 * 1024),
            }
        )

    # -- the overview's selection ---------------------------------------------------------

    def _chosen(self, scope: Any) -> list[Document]:
        """The ticked documents of the customer, in the overview's order (unknown or
        foreign ids: 404, as for one document)."""
        ids = list(dict.fromkeys(request.form.getlist("documents")))
        return [self.host._own_document(scope, doc_id) for doc_id in ids]

    def selection(self, token: str) -> Any:
        host = self.host
        scope = host._scope("customer", token)
        chosen = self._chosen(scope)
        if not chosen:
            flash(host._gettext("Please tick at least one document first."))
            return redirect(url_for("overview", token=token), 303)
        if request.form.get("do") == "zip":
            return self._zip(scope, chosen)
        payable = [d for d in chosen if isinstance(d, PayableDocument) and d.amount_due]
        if not payable:
            flash(host._gettext("None of the ticked documents has anything to pay."))
            return redirect(url_for("overview", token=token), 303)
        for document in payable:
            host._check(scope, document, Action.PAY)
        return self._pay_page(scope, payable, url_for("bulk_pay_selected", token=token))

    def _zip(self, scope: Any, chosen: list[Document]) -> Response:
        for document in chosen:
            self.host._check(scope, document, Action.DOWNLOAD)
        customer = scope.customer

        def skipped(document: Document, format_: DownloadFormat, error: ValidationError) -> None:
            log.warning(
                "ZIP for %s without %s of %s: %s",
                customer.id,
                format_.value,
                document.number,
                error,
            )

        archive = zip_documents(
            customer,
            chosen,
            policy=self.host.policy,
            files=self.host.files,
            filename=f"{customer.number}-documents.zip",
            skipped=skipped,
        )
        return Response(iter(archive), headers=dict(archive.headers))

    # -- paying several documents -----------------------------------------------------------

    def _pay_page(
        self, scope: Any, documents: list[PayableDocument], action: str, *, error: str | None = None
    ) -> Any:
        ordered = payment_order(documents)
        # What the payment will ask for: each open item once (a reminder demands the
        # invoices it reminds of, so ticking both does not ask for the invoice twice).
        items = self.host.store.accounts[scope.customer.id].items
        reached = {d.number for d in ordered if d.number in items}
        reached.update(k for key in list(reached) for k in items[key].reminds if k in items)
        zero = Money.zero(ordered[0].currency)
        total = sum((items[k].amount_open for k in sorted(reached)), zero)
        page = render_template(
            "bulk_pay.html",
            scope=scope,
            documents=ordered,
            total=total,
            action=action,
            methods=self.host.methods.values(),
            error=error,
        )
        return (page, 400) if error else page

    def pay_chosen(self, token: str) -> Any:
        host = self.host
        scope = host._scope("customer", token)
        chosen = self._chosen(scope)
        for document in chosen:
            host._check(scope, document, Action.PAY)
        payable = [d for d in chosen if isinstance(d, PayableDocument)]
        if not payable:
            abort(400, host._gettext("None of the ticked documents has anything to pay."))
        action = url_for("bulk_pay_selected", token=token)
        return self._start(
            scope,
            lambda method: pay_selected(
                host.portal,
                scope.customer.id,
                [d.id for d in payable],
                method=method,
                description=self._description(payable),
                customer_email=scope.customer.email,
            ),
            lambda error: self._pay_page(scope, payable, action, error=error),
        )

    def _overdue(self, scope: Any) -> list[PayableDocument]:
        if scope.kind != "customer":
            return []
        return overdue_documents(self.host.portal.storage, scope.customer.id, on=self._today())

    def _today(self) -> Any:
        return self.host.clock().date()

    def pay_overdue(self, token: str) -> Any:
        host = self.host
        scope = host._scope("customer", token)
        overdue = self._overdue(scope)
        if not overdue:
            flash(host._gettext("Nothing is overdue. Thank you!"))
            return redirect(url_for("overview", token=token), 303)
        for document in overdue:
            host._check(scope, document, Action.PAY)
        action = url_for("bulk_pay_overdue", token=token)
        if request.method == "GET":
            return self._pay_page(scope, overdue, action)
        return self._start(
            scope,
            lambda method: pay_overdue(
                host.portal,
                scope.customer.id,
                on=self._today(),
                method=method,
                description=self._description(overdue),
                customer_email=scope.customer.email,
            ),
            lambda error: self._pay_page(scope, overdue, action, error=error),
        )

    def _description(self, documents: list[PayableDocument]) -> str:
        numbers = ", ".join(d.number for d in payment_order(documents))
        return numbers if len(numbers) <= 120 else numbers[:117] + "..."

    def _start(self, scope: Any, start: Any, again: Any) -> Any:
        host = self.host
        try:
            method = host._method()
            checkout: Checkout = start(method.key)
        except ProviderError as error:
            return again(host._customer_message(error))
        except ValidationError as error:
            return again(host._customer_message(error))
        return host._checkout_started(checkout, url_for("overview", token=scope.token))

    # -- uploads ------------------------------------------------------------------------------

    def _uploads_for(self, scope: Any, document: Document) -> list[tuple[Upload, str]]:
        if scope.kind != "customer":
            return []
        return [
            (upload, url_for("bulk_upload_file", token=scope.token, upload_id=upload.id))
            for upload in self.uploads.uploads_of(scope.customer.id, document.id)
        ]

    def upload(self, token: str, doc_id: str) -> Any:
        host = self.host
        scope = host._scope("customer", token)
        document = host._own_document(scope, doc_id)
        host._check(scope, document, Action.VIEW)
        kind = upload_kind(document)
        if kind is None:
            abort(404, host._gettext("This document takes no uploads."))
        sent = request.files.get("file")
        if sent is None or not sent.filename:
            message = host._gettext("Please choose a file to upload.")
            return host._document_page(scope, document, error=message, status=400)
        try:
            upload = accept_upload(
                sent.stream,
                filename=sent.filename,
                kind=kind,
                customer=scope.customer,
                document=document,
                store=self.uploads,
                now=host.clock(),
            )
        except ValidationError as error:
            return host._document_page(scope, document, error=self._refusal(error), status=400)
        finally:
            sent.close()  # a large upload waits in a temporary file: gone now
        flash(host._gettext("Thank you, we received %(name)s.") % {"name": upload.filename})
        return redirect(scope.document_url(document), 303)

    def _refusal(self, error: ValidationError) -> str:
        _ = self.host._gettext
        if error.field == "size":
            return str(_("The file is too large: at most %(size)s MiB, please.")) % {
                "size": MAX_SIZE // (1024 * 1024)
            }
        return str(_("Please upload a PDF, PNG or JPEG file; this one is none of them."))

    def upload_file(self, token: str, upload_id: str) -> Response:
        host = self.host
        scope = host._scope("customer", token)
        found = self.uploads.get(upload_id)
        if found is None or found[0].customer_id != scope.customer.id:
            abort(404, host._gettext("There is no such file in your portal."))
        answer = upload_response(*found)
        return Response(answer.body, answer.status, headers=dict(answer.headers))
