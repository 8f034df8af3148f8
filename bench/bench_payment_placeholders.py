"""Payment instructions through placeholders against the same text built by hand.

Two measurements, each with its anchor taken in the same run:

1. transfer text: ``[Invoice.beneficiary]``, ``[Invoice.iban]``, ``[Invoice.bic]``,
   ``[Invoice.amount_due]``, ``[Invoice.due_date]`` and ``[Invoice.payment_reference]`` in an
   HTML template, against an f-string that formats the same values with the same functions
   (python-stdnum's IBAN grouping, ``payportal.references.generate``, babel via
   ``format_money`` and ``format_date``) and escapes them with ``html.escape``;
2. the EPC QR code as inline SVG, ``[Invoice.epc_qr]``, against calling
   ``payportal.epc_qr.payload`` and ``payportal.epc_qr.to_svg`` directly (segno draws both).

Each payportal render builds its ``RenderContext``, as a mail merge does. The outputs are
checked to be equal before anything is timed; both sides are timed in turns. Run with
``python bench/bench_payment_placeholders.py``.
"""

from __future__ import annotations

import html
import time
from datetime import date
from typing import TYPE_CHECKING

import babel.dates
import stdnum.iban

from payportal import Money, epc_qr, format_money
from payportal import references as refs
from payportal.customers import Customer
from payportal.documents import Invoice, LineItem
from payportal.placeholders import Beneficiary, PaymentInstructions, RenderContext, Template

if TYPE_CHECKING:
    from collections.abc import Callable

REPEATS = 7
LOCALE = "de_DE"


def invoices(count: int) -> list[Invoice]:
    return [
        Invoice(
            id=f"i-{n}",
            number=f"RE-2026-{n}",
            customer_id="42",
            issued_on=date(2026, 10, 1),
            due_on=date(2026, 10, 15),
            lines=[
                LineItem(
                    title="Work", quantity=1 + n % 7, unit_price=Money("95.00", "EUR"), tax_rate=19
                )
            ],
        )
        for n in range(count)
    ]


def best_per_second(
    ours: Callable[[], object], anchor: Callable[[], object], count: int
) -> tuple[float, float]:
    """Best rates of both, measured in turns so that a busy machine slows both alike."""
    best = [float("inf"), float("inf")]
    for _ in range(REPEATS):
        for side, run in enumerate((ours, anchor)):
            start = time.perf_counter()
            run()
            best[side] = min(best[side], time.perf_counter() - start)
    return count / best[0], count / best[1]


def main() -> None:
    customer = Customer(id="42", number="K-1042", name="Erika Mustermann", locale=LOCALE)
    beneficiary = Beneficiary(name="Beispiel AG", iban="DE89370400440532013000", bic="COBADEFFXXX")
    instructions = PaymentInstructions(beneficiary=beneficiary)
    docs = invoices(300)
    contexts = [
        RenderContext(customer=customer, documents=d, instructions=instructions) for d in docs
    ]

    text = Template.compile(
        "<p>[Invoice.beneficiary]<br>IBAN [Invoice.iban]<br>BIC [Invoice.bic]<br>"
        "[Invoice.amount_due] bis [Invoice.due_date]<br>[Invoice.payment_reference]</p>",
        escape="html",
    )

    def by_hand(invoice: Invoice) -> str:
        reference = refs.generate("rf", body=invoice.number.replace("-", ""))
        values = (
            beneficiary.name,
            "IBAN " + stdnum.iban.format(beneficiary.iban),
            "BIC " + (beneficiary.bic or ""),
            format_money(invoice.amount_due, locale=LOCALE)
            + " bis "
            + babel.dates.format_date(invoice.due_on, "medium", locale=LOCALE),
            reference.formatted,
        )
        return "<p>" + "<br>".join(html.escape(value) for value in values) + "</p>"

    assert [text.render(c) for c in contexts] == [by_hand(d) for d in docs]
    # Each render builds its context, as a mail merge does (the context caches the resolved
    # instructions, so reusing one would time a cache hit).
    ours, anchor = best_per_second(
        lambda: [
            text.render(RenderContext(customer=customer, documents=d, instructions=instructions))
            for d in docs
        ],
        lambda: [by_hand(d) for d in docs],
        len(docs),
    )
    print(f"transfer text: payportal {ours:,.0f}/s, by hand {anchor:,.0f}/s")
    print(f"ratio payportal / by hand: {ours / anchor:.2f}x")

    qr = Template.compile("[Invoice.epc_qr]", escape="html")
    few = docs[:40]
    few_contexts = contexts[:40]  # for the equality check only

    def qr_by_hand(invoice: Invoice) -> str:
        payload = epc_qr.payload(
            name=beneficiary.name,
            iban=beneficiary.iban,
            bic=beneficiary.bic,
            amount=invoice.amount_due,
            reference=refs.generate("rf", body=invoice.number.replace("-", "")).value,
        )
        return epc_qr.to_svg(payload)

    assert [qr.render(c) for c in few_contexts] == [qr_by_hand(d) for d in few]
    ours, anchor = best_per_second(
        lambda: [
            qr.render(RenderContext(customer=customer, documents=d, instructions=instructions))
            for d in few
        ],
        lambda: [qr_by_hand(d) for d in few],
        len(few),
    )
    print(f"EPC QR as SVG: payportal {ours:,.0f}/s, direct {anchor:,.0f}/s")
    print(f"ratio payportal / direct: {ours / anchor:.2f}x")


if __name__ == "__main__":
    main()
