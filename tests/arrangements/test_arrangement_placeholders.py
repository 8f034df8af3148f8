"""The InstalmentPlan and Hold placeholders, as an app's e-mail renders them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from payportal import Customer, Money
from payportal.arrangements import (
    Hold,
    HoldKind,
    HoldState,
    InstalmentPlan,
    register_placeholders,
    split_instalments,
)
from payportal.exceptions import ValidationError
from payportal.placeholders import PlaceholderRegistry, RenderContext, Template

ERIKA = Customer(id="42", number="K-42", name="Erika Muster", locale="de_DE")
REGISTRY = register_placeholders(PlaceholderRegistry())
PLAN = InstalmentPlan(
    customer_id="42",
    invoice_id="inv-1",
    invoice_number="RE-1",
    amount=Money("95.00", "EUR"),
    fee=Money("5.00", "EUR"),
    instalments=split_instalments(Money("100.00", "EUR"), 3, first_due_on=date(2026, 5, 1)),
    agreed_on=date(2026, 4, 20),
)


def render(text: str, **extra: object) -> str:
    template = Template.compile(text, registry=REGISTRY)
    return template.render(RenderContext(customer=ERIKA, extra=extra))


def test_the_plan_renders_the_due_instalment_and_every_instalment() -> None:
    progress = PLAN.progress(Money("40.00", "EUR"), on=date(2026, 5, 2))
    text = render(
        "[InstalmentPlan.invoice_number]: [InstalmentPlan.count] Raten über "
        "[InstalmentPlan.total] (Gebühr [InstalmentPlan.fee]), bezahlt [InstalmentPlan.paid], "
        "offen [InstalmentPlan.open]. Nächste Rate [InstalmentPlan.next_amount] am "
        "[InstalmentPlan.next_due_date] ([InstalmentPlan.state])\n[InstalmentPlan.instalments]",
        InstalmentPlan=progress,
    )
    assert text == (
        "RE-1: 3 Raten über 100,00\xa0€ (Gebühr 5,00\xa0€), bezahlt 40,00\xa0€, offen "
        "60,00\xa0€. Nächste Rate 26,67\xa0€ am 31.05.2026 (Aktiv)\n"
        "1 · 01.05.2026 · 33,34\xa0€ · 0,00\xa0€\n"
        "2 · 31.05.2026 · 33,33\xa0€ · 26,67\xa0€\n"
        "3 · 30.06.2026 · 33,33\xa0€ · 33,33\xa0€"
    )
    paid = PLAN.progress(Money("100.00", "EUR"), on=date(2026, 5, 2))
    nothing_due = "<[InstalmentPlan.next_amount][InstalmentPlan.next_due_date]>"
    assert render(nothing_due, InstalmentPlan=paid) == "<>"


def test_a_hold_renders_its_request_and_the_answer() -> None:
    hold = Hold.open(
        id="H-7",
        customer_id="42",
        invoice_id="inv-1",
        invoice_number="RE-1",
        kind=HoldKind.EXTENSION,
        at=datetime(2026, 4, 1, 9, tzinfo=UTC),
        due_on=date(2026, 5, 15),
        reason="Gehalt kommt am 10.",
    ).resolve(HoldState.ACCEPTED, at=datetime(2026, 4, 2, tzinfo=UTC), message="Einverstanden.")
    text = render(
        "[Hold.kind], [Hold.state]: [Hold.id] zu [Hold.invoice_number] vom [Hold.opened_date]: "
        "[Hold.reason] Neues Ziel [Hold.due_date]. Antwort: [Hold.message]",
        Hold=hold,
    )
    assert text == (
        "Mehr Zeit zum Zahlen, Angenommen: H-7 zu RE-1 vom 01.04.2026: Gehalt kommt am 10. "
        "Neues Ziel 15.05.2026. "
        "Antwort: Einverstanden."
    )


def test_registering_twice_or_on_something_else_is_refused() -> None:
    with pytest.raises(ValidationError, match="already registered"):
        register_placeholders(REGISTRY)
    with pytest.raises(ValidationError) as error:
        register_placeholders(object())  # type: ignore[arg-type]
    assert error.value.field == "registry"
