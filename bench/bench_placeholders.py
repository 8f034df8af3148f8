"""Render an invoice e-mail: payportal.placeholders against a compiled Jinja2 template.

Both sides render the same HTML e-mail with 12 values: names and numbers, five amounts
and three dates formatted with babel for de_DE, a percentage, and one freshly signed portal
link (the real ``payportal.links.PortalUrls`` with an HMAC key, signing included on both
sides). Both escape every value for HTML (Jinja2 ``autoescape=True``; payportal
``escape="html"``). The Jinja2 filters call babel's public formatting functions with a
pre-parsed ``babel.Locale``, the way a careful app would. Each render builds its context from
the domain objects, as a mail merge would. The two outputs are checked to be the same text
before anything is timed. Run with ``python bench/bench_placeholders.py``.
"""

from __future__ import annotations

import html
import random
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import babel
import babel.dates
import babel.numbers
import jinja2

from payportal import Money, format_money
from payportal.customers import Company, Customer
from payportal.documents import CashDiscount, Invoice, LineItem
from payportal.links import HmacKey, KeyRing, LinkSigner, PortalUrls
from payportal.placeholders import RenderContext, Template

if TYPE_CHECKING:
    from collections.abc import Callable

REPEATS = 7
MAIL_MERGE = 200  # distinct customers and invoices per timed loop
NOW = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)

PAYPORTAL_TEXT = """\
<p>Guten Tag [Client.name],</p>
<p>anbei erhalten Sie die Rechnung [Invoice.number] vom [Invoice.issued_on] über \
[Invoice.total_gross] (netto [Invoice.total_net], MwSt. [Invoice.total_tax]).</p>
<p>Bitte überweisen Sie [Invoice.amount_due] bis zum [Invoice.due_on:long]. Bei Zahlung bis \
zum [Invoice.cash_discount_until] ziehen Sie [Invoice.cash_discount_percent] Skonto ab.</p>
<p><a href="[Invoice.customerportal_url]">Rechnung im Kundenportal ansehen</a></p>
<p>Mit freundlichen Grüßen<br>[Company.name]</p>"""

JINJA_TEXT = """\
<p>Guten Tag {{ customer.name }},</p>
<p>anbei erhalten Sie die Rechnung {{ invoice.number }} vom {{ invoice.issued_on|date }} über \
{{ invoice.totals.gross|money }} (netto {{ invoice.totals.net|money }}, MwSt. \
{{ invoice.totals.tax|money }}).</p>
<p>Bitte überweisen Sie {{ invoice.amount_due|money }} bis zum \
{{ invoice.due_on|date("long") }}. Bei Zahlung bis \
zum {{ invoice.cash_discount.deadline(invoice.issued_on)|date }} ziehen Sie \
{{ invoice.cash_discount.percent|percent }} Skonto ab.</p>
<p><a href="{{ urls.document_url(invoice) }}">Rechnung im Kundenportal ansehen</a></p>
<p>Mit freundlichen Grüßen<br>{{ company.name }}</p>"""


def mail_merge() -> list[tuple[Customer, Invoice]]:
    """Customers (some with names that need escaping) and their invoices, all different."""
    rng = random.Random(5)
    names = ["Erika Mustermann", 'Müller & Söhne "Bau" <GmbH>', "O'Brien Ltd.", "Jörg Schmidt"]
    merge = []
    for index in range(MAIL_MERGE):
        customer = Customer(
            id=str(1000 + index),
            number=f"K-{1000 + index}",
            name=f"{names[index % len(names)]} {index}",
            locale="de_DE",
        )
        issued = date(2026, 1, 1) + timedelta(days=rng.randrange(300))
        lines = [
            LineItem(
                title=f"Position {n}",
                quantity=rng.randrange(1, 20),
                unit_price=Money.from_minor(rng.randrange(100, 500_000), "EUR"),
                tax_rate=rng.choice([7, 19]),
            )
            for n in range(rng.randrange(1, 5))
        ]
        invoice = Invoice(
            id=f"inv-{index}",
            number=f"RE-2026-{index:04d}",
            customer_id=customer.id,
            issued_on=issued,
            due_on=issued + timedelta(days=14),
            lines=lines,
            cash_discount=CashDiscount(Decimal("2.5"), 10),
        )
        merge.append((customer, invoice))
    return merge


def jinja_template(locale: babel.Locale) -> jinja2.Template:
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    environment.filters["money"] = lambda money: format_money(money, locale)
    environment.filters["date"] = lambda day, style="medium": babel.dates.format_date(
        day, style, locale=locale
    )
    environment.filters["percent"] = lambda percent: babel.numbers.format_percent(
        percent / 100, locale=locale, decimal_quantization=False
    )
    return environment.from_string(JINJA_TEXT)


def best_renders_per_second(render_all: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        render_all()
        best = min(best, time.perf_counter() - start)
    return MAIL_MERGE / best


def main() -> None:
    signer = LinkSigner(KeyRing([HmacKey("k1", bytes(range(32)))]), clock=lambda: NOW)
    urls = PortalUrls("https://billing.example.com", signer, ttl=timedelta(days=30))
    company = Company(name="Beispiel & Partner AG")
    merge = mail_merge()
    # Both sides format and compute the same things from the same objects; warm the
    # invoices' cached totals so neither side pays for computing them first.
    for _, invoice in merge:
        _ = invoice.totals

    ours = Template.compile(PAYPORTAL_TEXT, escape="html")
    anchor = jinja_template(babel.Locale.parse("de_DE"))

    def render_ours() -> list[str]:
        return [
            ours.render(
                RenderContext(customer=customer, documents=invoice, company=company, urls=urls)
            )
            for customer, invoice in merge
        ]

    def render_anchor() -> list[str]:
        return [
            anchor.render(customer=customer, invoice=invoice, company=company, urls=urls)
            for customer, invoice in merge
        ]

    # Same text: the escapes differ only in spelling (&#x27; and &#39; are both ').
    for mine, theirs in zip(render_ours(), render_anchor(), strict=True):
        assert html.unescape(mine) == html.unescape(theirs), (mine, theirs)
    assert len(ours.placeholders) == 12

    anchor_rate = best_renders_per_second(render_anchor)
    our_rate = best_renders_per_second(render_ours)
    sample = render_ours()[1]

    print(f"invoice e-mail, 12 values, de_DE, 1 signed link, html escaping; best of {REPEATS}")
    print(f"x {MAIL_MERGE} distinct customers, context built per render")
    print(f"jinja2 {jinja2.__version__} compiled template:   {anchor_rate:9,.0f} renders/s")
    print(f"payportal.placeholders Template:  {our_rate:9,.0f} renders/s")
    print(f"ratio payportal / jinja2: {our_rate / anchor_rate:.2f}x (target >= 1.0)")
    print(f"sample:\n{sample}")


if __name__ == "__main__":
    main()
