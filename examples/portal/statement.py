"""The account statement and the receipts in the example portal.

``/portal/<token>/statement`` shows the customer's statement for a period they choose (every
booking with the running balance, the open items in ageing buckets) and their receipts, each
beside the payment it confirms; the statement downloads as CSV
(:func:`payportal.accounts.statement_to_csv`) and as a PDF, each receipt as a PDF. The
headings are payportal's texts (``STATEMENT_TEXTS``, ``RECEIPT_TEXTS``) in the page's
language; the PDFs are drawn with fpdf2 like the example's documents (:mod:`.files`).

The merchant's demo page ``/merchant/receipt-mails`` plays the app's mailer: it reads the
``receipt.issued`` messages of the outbox after its cursor, renders each receipt's default
e-mail in the customer's language and advances the cursor in the same transaction, so every
receipt is mailed once however often it runs.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Final

import attrs
from flask import Flask, abort, redirect, render_template, request, url_for
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from werkzeug.wrappers import Response

from payportal import format_money
from payportal.accounts import (
    STATEMENT_TEXTS,
    CustomerStatement,
    EntryKind,
    customer_statement,
    statement_to_csv,
)
from payportal.downloads import content_disposition
from payportal.exceptions import ValidationError
from payportal.i18n import translator_for
from payportal.receipts import (
    RECEIPT_TEXTS,
    RECEIPTS,
    TOPIC,
    Receipt,
    load_receipt,
    receipt_context,
    receipt_email,
    receipt_lines,
    receipts_of,
)

if TYPE_CHECKING:
    from payportal import Money
    from payportal.i18n import Translations

__all__ = ["StatementPages"]

#: The demo mailer's outbox cursor, and where it keeps the e-mails it "sent".
MAILER: Final = "example.receipt-mailer"
SENT: Final = "example.receipt-mails"


@attrs.frozen
class SentMail:
    """A receipt e-mail as the demo mailer sent it."""

    to: str
    subject: str
    body: str


#: How far back the statement goes when the customer has not chosen a period.
DEFAULT_DAYS: Final = 90

#: ISO codes, not symbols: fpdf2's built-in fonts cover Latin-1, which has no euro sign.
_MONEY_PATTERN: Final = "#,##0.00 ¤¤"


class StatementPages:
    """The statement and receipt routes, on the portal's routes object ``host`` (the
    example's ``_Portal``: its link checks, store, clock and texts)."""

    def __init__(self, host: Any) -> None:
        self.host = host

    def register(self, app: Flask) -> None:
        app.add_url_rule("/portal/<token:token>/statement", "statement", self.page)
        app.add_url_rule("/portal/<token:token>/statement.csv", "statement_csv", self.csv)
        app.add_url_rule("/portal/<token:token>/statement.pdf", "statement_pdf", self.pdf)
        app.add_url_rule(
            "/portal/<token:token>/receipts/<number>.pdf", "receipt_pdf", self.receipt_pdf
        )
        app.add_url_rule(
            "/merchant/receipt-mails",
            "merchant_receipt_mails",
            self.send_receipts,
            methods=["POST"],
        )
        app.add_url_rule("/merchant/receipt-mails", "receipt_mails", self.sent_receipts)

    # -- what the three views share ----------------------------------------------------------

    def _statement(self, token: str) -> tuple[Any, CustomerStatement]:
        """The link's scope and the statement of the period in the query (``start``, ``end``
        as ``YYYY-MM-DD``; the last 90 days up to today if not given)."""
        scope = self.host._scope("customer", token)
        today: date = self.host.clock().date()
        try:
            end = _day(request.args.get("end"), "end") or today
            start = _day(request.args.get("start"), "start") or end - timedelta(days=DEFAULT_DAYS)
            account = self.host.store.accounts[scope.customer.id]
            statement = customer_statement(account, start=start, end=end, on=min(end, today))
        except ValidationError as problem:
            abort(400, self.host._customer_message(problem))
        return scope, statement

    def _texts(self) -> Translations:
        texts: Translations = self.host._texts()
        return texts

    def _filename(self, statement: CustomerStatement, suffix: str) -> str:
        title = self._texts().text(STATEMENT_TEXTS["title"])
        period = f"{_iso(statement.start)}_{_iso(statement.end)}"
        return f"{title} {statement.customer_id} {period}.{suffix}"

    # -- views -------------------------------------------------------------------------------

    def page(self, token: str) -> str:
        scope, statement = self._statement(token)
        receipts = receipts_of(self.host.store.storage, scope.customer.id)
        by_booking = {r.booking_id: r for r in receipts}
        texts = self._texts()
        return render_template(
            "statement_page.html",
            scope=scope,
            statement=statement,
            receipts=receipts,
            receipt_of=lambda entry: (
                by_booking.get(entry.reference) if entry.kind is EntryKind.PAYMENT else None
            ),
            heading=lambda key: texts.text(STATEMENT_TEXTS[key]),
            receipt_heading=lambda key: texts.text(RECEIPT_TEXTS[key]),
            query=request.query_string.decode("ascii", "replace"),
        )

    def csv(self, token: str) -> Response:
        _, statement = self._statement(token)
        body = statement_to_csv(statement, self._texts())
        response = Response(body.encode("utf-8-sig"), mimetype="text/csv")
        response.headers["Content-Disposition"] = content_disposition(
            self._filename(statement, "csv")
        )
        return response

    def pdf(self, token: str) -> Response:
        _, statement = self._statement(token)
        response = Response(self._statement_pdf(statement), mimetype="application/pdf")
        response.headers["Content-Disposition"] = content_disposition(
            self._filename(statement, "pdf")
        )
        return response

    def receipt_pdf(self, token: str, number: str) -> Response:
        scope = self.host._scope("customer", token)
        # Looked up among this customer's receipts only: another's number is not found.
        receipt = load_receipt(self.host.store.storage, scope.customer.id, number)
        if receipt is None:
            abort(404, self.host._gettext("There is no such receipt."))
        response = Response(self._receipt_pdf(receipt), mimetype="application/pdf")
        response.headers["Content-Disposition"] = content_disposition(f"{receipt.number}.pdf")
        return response

    # -- the merchant's mailer (demo only) ---------------------------------------------------

    def send_receipts(self) -> Response:
        """Send the receipts issued since the mailer's cursor: read ``receipt.issued`` from
        the outbox, render each receipt's e-mail in its customer's language, remember it as
        sent, and advance the cursor in the same transaction, so each is sent once."""
        host = self.host
        # Read before the transaction: the store reads customers and settings in its own.
        customers = dict(host.store.customers)
        overrides = host.store.settings.texts
        company = host.store.company
        urls = host._urls()
        with host.store.storage.transaction() as tx:
            position = tx.cursor(MAILER)
            for message in tx.outbox(after=position, limit=1000):
                if message.topic == TOPIC:
                    customer = customers.get(str(message.payload["customer_id"]))
                    number = str(message.payload["number"])
                    receipt = None
                    if customer is not None:
                        receipt = tx.load_order(f"{RECEIPTS}:{customer.id}", number, Receipt)
                    if customer is not None and receipt is not None:
                        texts = translator_for(customer.locale, overrides=overrides)
                        email = receipt_email(receipt, texts)
                        context = receipt_context(
                            receipt, customer=customer, company=company, urls=urls
                        )
                        subject, body = email.render(context)
                        sent = SentMail(to=customer.email or "", subject=subject, body=body)
                        tx.save_order(SENT, f"{message.position:012d}", sent)
                position = message.position
            tx.advance_cursor(MAILER, position)
        return redirect(url_for("receipt_mails"), 303)

    def sent_receipts(self) -> str:
        with self.host.store.storage.transaction(read_only=True) as tx:
            mails = [tx.load_order(SENT, key, SentMail) for key in tx.order_references(SENT)]
        return render_template("statement_mails.html", mails=[m for m in mails if m])

    # -- PDFs --------------------------------------------------------------------------------

    def _money(self, money: Money) -> str:
        return format_money(money, self._texts().format_locale, format=_MONEY_PATTERN)

    def _statement_pdf(self, statement: CustomerStatement) -> bytes:
        texts = self._texts()

        def text(key: str) -> str:
            return texts.text(STATEMENT_TEXTS[key])

        pdf = _page(self.host.store.company.name, text("title"))
        pdf.set_font("Helvetica", size=10)
        period = f"{text('period')}: {_iso(statement.start)} - {_iso(statement.end)}"
        pdf.cell(0, 6, _latin(period), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)
        widths = (25, 55, 35, 35, 35)
        _row(pdf, widths, [text(k) for k in ("date", "booking", "reference", "amount", "balance")])
        pdf.set_font("Helvetica", size=9)
        _row(pdf, widths, ["", text("opening"), "", "", self._money(statement.opening)])
        for line in statement.lines:
            entry = line.entry
            _row(
                pdf,
                widths,
                [
                    entry.on.isoformat(),
                    texts.label(entry.kind),
                    entry.reference,
                    self._money(entry.amount),
                    self._money(line.balance),
                ],
            )
        _row(pdf, widths, ["", text("closing"), "", "", self._money(statement.closing)])
        pdf.ln(5)
        pdf.set_font("Helvetica", style="B", size=11)
        pdf.cell(0, 7, _latin(text("open_items")), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        widths = (25, 55, 35, 35, 35)
        pdf.set_font("Helvetica", size=9)
        _row(pdf, widths, [text("due_on"), "", text("days_overdue"), text("open"), ""])
        for item in statement.ageing.items:
            _row(
                pdf,
                widths,
                [
                    item.due_on.isoformat(),
                    item.key,
                    str(item.days_overdue),
                    self._money(item.amount),
                    text(item.bucket.value),
                ],
            )
        for bucket, total in statement.ageing.totals.items():
            _row(pdf, widths, ["", text(bucket.value), "", self._money(total), ""])
        _row(pdf, widths, ["", text("total"), "", self._money(statement.ageing.total), ""])
        return bytes(pdf.output())

    def _receipt_pdf(self, receipt: Receipt) -> bytes:
        lines = receipt_lines(receipt, self._texts())
        title, _ = lines[0]
        pdf = _page(self.host.store.company.name, title)
        pdf.set_font("Helvetica", size=10)
        for heading, value in lines[1:]:
            _row(pdf, (70, 0), [heading, value])
        return bytes(pdf.output())


def _page(sender: str, title: str) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_title(_latin(title))
    pdf.set_author(_latin(sender))
    pdf.add_page()
    pdf.set_font("Helvetica", size=9)
    pdf.cell(0, 5, _latin(sender), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    pdf.set_font("Helvetica", style="B", size=16)
    pdf.cell(0, 10, _latin(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return pdf


def _row(pdf: FPDF, widths: tuple[int, ...], cells: list[str]) -> None:
    for width, cell in zip(widths, cells, strict=True):
        pdf.cell(width, 6, _latin(cell))
    pdf.ln(6)


def _latin(text: str) -> str:
    """``text`` as fpdf2's built-in fonts draw it (Latin-1): dashes and narrow spaces
    become their Latin-1 neighbours, the euro sign its code, anything else ``?``."""
    plain = text.replace("–", "-").replace("\u202f", " ").replace("\xa0", " ")
    plain = plain.replace(" €", " EUR").replace("€", "EUR")
    return plain.encode("latin-1", "replace").decode("latin-1")


def _iso(day: date | None) -> str:
    return "" if day is None else day.isoformat()


def _day(text: str | None, field: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError("must be a date (YYYY-MM-DD)", field=field, value=text) from None
