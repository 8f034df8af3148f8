"""Hypothesis strategies for payportal's models, for property tests in your own suite.

>>> from hypothesis import given
>>> @given(money(currency="EUR"))
... def test_money_round_trips(m):
...     assert Money.from_minor(m.minor_units, m.currency) == m
>>> test_money_round_trips()
"""

from __future__ import annotations

import contextlib
import string
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import strategies as st

from payportal._money import Money, currency_exponent
from payportal.accounts import (
    AccountStatement,
    Component,
    ComponentKind,
    CustomerAccount,
    OpenItem,
    PrepaidAccount,
    TopUpMethod,
)
from payportal.allocation import (
    AllocationResult,
    OverpaymentPolicy,
    Reversal,
    Strategy,
    Tolerance,
    allocate,
    reverse,
)
from payportal.customers import (
    Address,
    BankAccount,
    ChangeRecord,
    Company,
    Customer,
    MasterDataChange,
    MasterDataField,
)
from payportal.documents import (
    CashDiscount,
    Comment,
    CommentAuthor,
    CreditNote,
    DeliveryNote,
    Document,
    Invoice,
    LineItem,
    Offer,
    OfferStatus,
    OrderConfirmation,
    RemindedInvoice,
    Reminder,
)
from payportal.exceptions import PayportalError
from payportal.links import LinkClaims
from payportal.portal import Action
from payportal.providers import (
    Capabilities,
    Payment,
    PaymentRequest,
    PaymentStatus,
    Refund,
    WebhookEvent,
)
from payportal.receipts import Receipt, ReceiptKind, SettledItem, receipt_number
from payportal.reconciliation import Direction, Statement, StatementEntry

__all__ = [
    "account_statements",
    "accounts",
    "addresses",
    "allocation_results",
    "aware_datetimes",
    "capabilities",
    "change_records",
    "comments",
    "companies",
    "credit_notes",
    "currencies",
    "customers",
    "delivery_notes",
    "documents",
    "invoices",
    "line_items",
    "link_claims",
    "master_data_changes",
    "money",
    "offers",
    "open_items",
    "order_confirmations",
    "payment_requests",
    "payments",
    "prepaid_accounts",
    "receipts",
    "reminders",
    "reversals",
    "statement_entries",
    "statements",
    "tax_rates",
    "tolerances",
    "webhook_events",
]

# A spread of minor units (0, 2, 3, 4 decimals), active and widely used.
COMMON_CURRENCIES = ("EUR", "USD", "GBP", "CHF", "JPY", "KRW", "KWD", "BHD", "CLF", "SEK")

# Valid IBANs from the registry's own examples; hypothesis picks among them.
_IBANS = (
    "DE89370400440532013000",
    "GB29NWBK60161331926819",
    "FR1420041010050500013M02606",
    "NL91ABNA0417164300",
    "CH9300762011623852957",
    "AT611904300234573201",
)


def currencies() -> st.SearchStrategy[str]:
    """ISO 4217 codes with 0, 2, 3 and 4 decimal minor units."""
    return st.sampled_from(COMMON_CURRENCIES)


def money(
    *,
    currency: str | st.SearchStrategy[str] | None = None,
    min_value: Decimal | int | None = -(10**9),
    max_value: Decimal | int | None = 10**9,
) -> st.SearchStrategy[Money]:
    """Money in ``currency`` (or any of :func:`currencies`), between the bounds inclusive.

    Bounds are in major units (``Decimal("0.01")`` is one cent for EUR); the default range is
    minus to plus a billion. ``None`` leaves a side open up to what a ``Decimal`` holds exactly
    (28 significant digits).
    """
    if currency is None:
        codes: st.SearchStrategy[str] = currencies()
    elif isinstance(currency, str):
        codes = st.just(currency)
    else:
        codes = currency

    def in_currency(code: str) -> st.SearchStrategy[Money]:
        exponent = currency_exponent(code)
        scale = 10**exponent
        limit = 10**27  # 28 significant digits: the default decimal context's precision
        low = -limit if min_value is None else int((Decimal(min_value) * scale).to_integral_value())
        high = limit if max_value is None else int((Decimal(max_value) * scale).to_integral_value())
        return st.integers(min_value=low, max_value=high).map(
            lambda units: Money.from_minor(units, code)
        )

    return codes.flatmap(in_currency)


def tax_rates() -> st.SearchStrategy[Decimal]:
    """VAT rates in percent as they appear on European invoices."""
    return st.sampled_from([Decimal(r) for r in ("0", "5", "7", "10", "19", "20", "21", "25.5")])


_text = st.text(alphabet=string.ascii_letters + string.digits + " äöüß-", min_size=1, max_size=30)
_words = _text.filter(lambda s: s.strip() != "")


def line_items(currency: str = "EUR") -> st.SearchStrategy[LineItem]:
    """Priced line items in ``currency`` with quantities, discounts and mixed tax rates."""
    return st.builds(
        LineItem,
        title=_words,
        quantity=st.decimals(min_value=0, max_value=10_000, places=3, allow_nan=False),
        unit_price=money(currency=currency, min_value=0, max_value=100_000),
        tax_rate=tax_rates(),
        discount=st.sampled_from([Decimal(0), Decimal(3), Decimal("12.5"), Decimal(100)]),
    )


def addresses() -> st.SearchStrategy[Address]:
    """Postal addresses in the countries payportal's customers live in."""
    return st.builds(
        Address,
        street=_words,
        postal_code=st.from_regex(r"\A[0-9]{5}\Z"),
        city=_words,
        country=st.sampled_from(["DE", "AT", "CH", "FR", "NL", "IE", "GB"]),
    )


def customers(*, currency: str | None = None) -> st.SearchStrategy[Customer]:
    """Valid customers with addresses, bank accounts and locales."""
    return st.builds(
        Customer,
        id=st.uuids().map(str),
        number=st.integers(min_value=1, max_value=10**8).map(lambda n: f"K-{n}"),
        name=_words,
        company=st.one_of(st.just(""), _words),
        email=st.one_of(st.none(), st.from_regex(r"\A[a-z]{1,10}@[a-z]{1,10}\.(de|com|org)\Z")),
        address=st.one_of(st.none(), addresses()),
        bank_accounts=st.lists(
            st.builds(BankAccount, iban=st.sampled_from(_IBANS), holder=_words), max_size=2
        ),
        locale=st.sampled_from(["de_DE", "en_IE", "en_US", "fr_FR", "de_CH", "nl_NL"]),
        currency=st.just(currency) if currency else currencies(),
    )


def invoices(
    *, customer_id: str | None = None, currency: str | None = None, max_lines: int = 8
) -> st.SearchStrategy[Invoice]:
    """Valid open invoices with 1 to ``max_lines`` priced lines at mixed tax rates."""
    codes = st.just(currency) if currency else currencies()

    def build(code: str) -> st.SearchStrategy[Invoice]:
        issued = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
        return issued.flatmap(
            lambda day: st.builds(
                Invoice,
                id=st.uuids().map(str),
                number=st.integers(min_value=1, max_value=10**6).map(lambda n: f"RE-{n}"),
                customer_id=st.just(customer_id) if customer_id else st.uuids().map(str),
                issued_on=st.just(day),
                due_on=st.integers(min_value=0, max_value=60).map(
                    lambda days: day + timedelta(days=days)
                ),
                currency=st.just(code),
                lines=st.lists(line_items(code), min_size=1, max_size=max_lines),
            )
        )

    return codes.flatmap(build)


# Hypothesis takes naive bounds and attaches the time zones itself.
_FROM = datetime(2000, 1, 1)  # noqa: DTZ001
_UNTIL = datetime(2100, 1, 1)  # noqa: DTZ001
_OFFSETS = (UTC, timezone(timedelta(hours=2)), timezone(-timedelta(hours=5, minutes=30)))
_ids = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9_-]{0,15}\Z")
_days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


def aware_datetimes() -> st.SearchStrategy[datetime]:
    """Timezone-aware datetimes (UTC and fixed offsets) between 2000 and 2100."""
    return st.datetimes(
        min_value=_FROM,
        max_value=_UNTIL,
        timezones=st.sampled_from(_OFFSETS),
    )


def companies() -> st.SearchStrategy[Company]:
    """The merchant's company data, with or without address and bank accounts."""
    return st.builds(
        Company,
        name=_words,
        address=st.one_of(st.none(), addresses()),
        email=st.one_of(st.none(), st.just("billing@example.com")),
        phone=st.sampled_from(["", "+49 30 1234567"]),
        website=st.sampled_from(["", "https://example.com"]),
        bank_accounts=st.lists(
            st.builds(BankAccount, iban=st.sampled_from(_IBANS), holder=_words), max_size=2
        ),
        tax_number=st.sampled_from(["", "12/345/67890"]),
        register_entry=st.sampled_from(["", "HRB 12345"]),
    )


def master_data_changes() -> st.SearchStrategy[MasterDataChange]:
    """Partial master data submissions with valid values (any subset of the fields)."""
    values: dict[str, st.SearchStrategy[Any]] = {
        "name": _words,
        "company": _words,
        "email": st.one_of(st.none(), st.just("new@example.org")),
        "phone": st.just("+49 40 7654321"),
        "address": st.one_of(st.none(), addresses()),
        "locale": st.sampled_from(["de_DE", "en_IE", "fr_FR"]),
        "bank_accounts": st.lists(
            st.builds(BankAccount, iban=st.sampled_from(_IBANS), holder=_words), max_size=2
        ).map(tuple),
        "tax_number": st.just("98/765/43210"),
    }
    return st.fixed_dictionaries({}, optional=values).map(lambda found: MasterDataChange(**found))


def change_records() -> st.SearchStrategy[ChangeRecord]:
    """What applying a change to a customer recorded (old and new values of each field)."""
    return st.builds(
        lambda customer, change, at: customer.apply_change(
            change, editable=list(MasterDataField), at=at
        )[1],
        customers(),
        master_data_changes(),
        st.one_of(st.none(), aware_datetimes()),
    )


def comments() -> st.SearchStrategy[Comment]:
    """Comments by customers and staff, at timezone-aware times."""
    return st.builds(
        Comment,
        text=_words,
        at=aware_datetimes(),
        author=st.sampled_from(CommentAuthor),
        author_name=st.one_of(st.just(""), _words),
    )


def _document_fields(code: str, *, priced: bool = True) -> dict[str, st.SearchStrategy[Any]]:
    lines = line_items(code)
    if not priced:
        lines = st.one_of(lines, lines.map(lambda line: attrs.evolve(line, unit_price=None)))
    return {
        "id": st.uuids().map(str),
        "number": st.integers(min_value=1, max_value=10**6).map(lambda n: f"D-{n}"),
        "customer_id": st.uuids().map(str),
        "issued_on": _days,
        "currency": st.just(code),
        "lines": st.lists(lines, min_size=1, max_size=4),
        "comments": st.lists(comments(), max_size=2),
        "title": st.one_of(st.just(""), _words),
    }


def reminders(*, currency: str | None = None) -> st.SearchStrategy[Reminder]:
    """Reminders for one to three invoices, with fee and interest."""
    codes = st.just(currency) if currency else currencies()

    def build(code: str) -> st.SearchStrategy[Reminder]:
        reminded = st.builds(
            RemindedInvoice,
            invoice_id=st.uuids().map(str),
            number=st.integers(min_value=1, max_value=10**6).map(lambda n: f"RE-{n}"),
            amount_open=money(currency=code, min_value=0, max_value=10_000),
            due_on=st.one_of(st.none(), _days),
        )
        fields = _document_fields(code)
        fields["lines"] = st.lists(line_items(code), max_size=2)
        return st.builds(
            Reminder,
            **fields,
            reminded=st.lists(reminded, min_size=1, max_size=3),
            level=st.integers(min_value=1, max_value=3),
            fee=money(currency=code, min_value=0, max_value=50),
            interest=money(currency=code, min_value=0, max_value=50),
            due_on=st.one_of(st.none(), _days),
        )

    return codes.flatmap(build)


def credit_notes(*, currency: str | None = None) -> st.SearchStrategy[CreditNote]:
    """Credit notes, with or without the invoice they correct."""
    codes = st.just(currency) if currency else currencies()
    return codes.flatmap(
        lambda code: st.builds(
            CreditNote,
            **_document_fields(code),
            invoice_id=st.one_of(st.none(), st.uuids().map(str)),
            reason=st.one_of(st.just(""), _words),
        )
    )


def offers(*, currency: str | None = None) -> st.SearchStrategy[Offer]:
    """Offers in any stored status (never EXPIRED, which follows from the date)."""
    codes = st.just(currency) if currency else currencies()
    return codes.flatmap(
        lambda code: st.builds(
            Offer,
            **_document_fields(code),
            valid_until=_days,
            status=st.sampled_from([s for s in OfferStatus if s is not OfferStatus.EXPIRED]),
            decided_at=st.one_of(st.none(), aware_datetimes()),
            rejection_reason=st.one_of(st.just(""), _words),
        )
    )


def delivery_notes(*, currency: str | None = None) -> st.SearchStrategy[DeliveryNote]:
    """Delivery notes whose lines may have no price."""
    codes = st.just(currency) if currency else currencies()
    return codes.flatmap(
        lambda code: st.builds(
            DeliveryNote,
            **_document_fields(code, priced=False),
            delivered_on=st.one_of(st.none(), _days),
            order_id=st.one_of(st.none(), st.uuids().map(str)),
        )
    )


def order_confirmations(*, currency: str | None = None) -> st.SearchStrategy[OrderConfirmation]:
    """Order confirmations, with or without the offer they confirm."""
    codes = st.just(currency) if currency else currencies()
    return codes.flatmap(
        lambda code: st.builds(
            OrderConfirmation,
            **_document_fields(code),
            offer_id=st.one_of(st.none(), st.uuids().map(str)),
            delivery_on=st.one_of(st.none(), _days),
        )
    )


def _invoice_extras(invoice: Invoice) -> st.SearchStrategy[Invoice]:
    """An invoice with comments, cash discount terms, and maybe part of it paid."""

    def paid(part: int, discount: CashDiscount | None, notes: list[Comment]) -> Invoice:
        changed = attrs.evolve(invoice, cash_discount=discount, comments=tuple(notes))
        due = changed.amount_due
        share = Money.from_minor(due.minor_units * part // 4, due.currency)
        return changed.record_payment(share) if share.amount > 0 else changed

    return st.builds(
        paid,
        st.integers(min_value=0, max_value=4),
        st.one_of(
            st.none(),
            st.builds(
                CashDiscount,
                percent=st.sampled_from([Decimal(2), Decimal("3.5")]),
                days=st.integers(min_value=0, max_value=30),
            ),
        ),
        st.lists(comments(), max_size=2),
    )


def documents(*, currency: str | None = None) -> st.SearchStrategy[Document]:
    """Documents of every type: invoices (part paid, with cash discount and comments),
    reminders, credit notes, offers, delivery notes and order confirmations."""
    return st.one_of(
        invoices(currency=currency, max_lines=3).flatmap(_invoice_extras),
        reminders(currency=currency),
        credit_notes(currency=currency),
        offers(currency=currency),
        delivery_notes(currency=currency),
        order_confirmations(currency=currency),
    )


def _positive(code: str, high: int = 10_000) -> st.SearchStrategy[Money]:
    return money(
        currency=code, min_value=Decimal(1).scaleb(-currency_exponent(code)), max_value=high
    )


@st.composite
def open_items(draw: st.DrawFn, *, currency: str = "EUR", key: str | None = None) -> OpenItem:
    """Open items with costs, interest and principal, security, burden and cash discount."""
    kinds = draw(st.lists(st.sampled_from(ComponentKind), min_size=1, max_size=3, unique=True))
    components = [
        Component(kind, draw(money(currency=currency, min_value=0, max_value=5_000)))
        for kind in kinds
    ]
    due = draw(_days)
    discount_until = draw(st.one_of(st.none(), st.just(due)))
    return OpenItem(
        key=key or draw(_ids),
        components=components,
        due_on=due,
        issued_on=due - timedelta(days=draw(st.integers(min_value=0, max_value=60))),
        subject=draw(st.sampled_from(["", "invoice:inv-1"])),
        secured=draw(st.booleans()),
        burden=draw(st.integers(min_value=0, max_value=3)),
        discount=None
        if discount_until is None
        else draw(money(currency=currency, min_value=0, max_value=50)),
        discount_until=discount_until,
        # A reminder's item names the items it reminds of (keys no other draw makes).
        reminds=draw(st.lists(st.sampled_from(["MA-ref-1", "MA-ref-2"]), max_size=2, unique=True)),
    )


def _item_lists(currency: str, max_size: int = 6) -> st.SearchStrategy[list[OpenItem]]:
    return st.lists(
        st.integers(min_value=1, max_value=99), min_size=0, max_size=max_size, unique=True
    ).flatmap(
        lambda numbers: st.tuples(
            *(open_items(currency=currency, key=f"RE-{n}") for n in numbers)
        ).map(list)
    )


def tolerances(*, currency: str = "EUR") -> st.SearchStrategy[Tolerance]:
    """Underpayment tolerances: absolute, percentage or both."""
    return st.one_of(
        st.builds(Tolerance, absolute=money(currency=currency, min_value=0, max_value=5)),
        st.builds(Tolerance, percent=st.sampled_from([Decimal("0.5"), Decimal(2)])),
        st.builds(
            Tolerance,
            absolute=money(currency=currency, min_value=0, max_value=5),
            percent=st.just(Decimal(1)),
        ),
    )


@st.composite
def allocation_results(draw: st.DrawFn, *, currency: str = "EUR") -> AllocationResult:
    """Results of allocating a payment over a few open items with any strategy and options."""
    items = draw(_item_lists(currency))
    strategy = draw(st.sampled_from(Strategy))
    paid_on = draw(_days)
    return allocate(
        draw(_positive(currency)),
        items,
        strategy=strategy,
        paid_on=paid_on,
        tolerance=draw(st.one_of(st.none(), tolerances(currency=currency))),
        overpayment=draw(st.sampled_from(OverpaymentPolicy)),
        specified=draw(st.lists(st.sampled_from([i.key for i in items] + ["RE-X"]), max_size=2)),
        payment_id=draw(_ids),
    )


@st.composite
def reversals(draw: st.DrawFn, *, currency: str = "EUR") -> Reversal:
    """Whole or partial reversals of allocation results."""
    result = draw(allocation_results(currency=currency))
    units = draw(st.integers(min_value=1, max_value=result.payment.minor_units))
    return reverse(result, Money.from_minor(units, currency))


@st.composite
def prepaid_accounts(draw: st.DrawFn, *, currency: str = "EUR") -> PrepaidAccount:
    """Prepaid accounts after a few top-ups (some pending, some released) and charges."""
    account = PrepaidAccount(currency=currency)
    for index in range(draw(st.integers(min_value=0, max_value=4))):
        method = draw(st.sampled_from(TopUpMethod))
        account = account.top_up(
            draw(_positive(currency, 100)), method=method, reference=f"T-{index}"
        )
        release = draw(st.booleans())
        if account.pending and release:
            account = account.release(account.pending[0].reference)
        charge = draw(st.booleans())
        if account.balance and charge:
            units = draw(st.integers(min_value=1, max_value=account.balance.minor_units))
            account = account.charge(Money.from_minor(units, currency), reference=f"C-{index}")
    return account


@st.composite
def accounts(draw: st.DrawFn, *, currency: str = "EUR", max_payments: int = 4) -> CustomerAccount:
    """Customer accounts after items were added and payments applied, reversed and paid
    from credit: with a ledger, allocations, credit, prepaid balance and refund requests."""
    items = draw(_item_lists(currency, max_size=4))
    account = CustomerAccount(customer_id=draw(_ids), currency=currency, items=items[:1])
    for item in items[1:]:
        account = account.add(item)
    for index in range(draw(st.integers(min_value=0, max_value=max_payments))):
        pid = f"P-{index}"
        result = account.allocate(
            draw(_positive(currency, 5_000)),
            strategy=draw(st.sampled_from([Strategy.OLDEST_FIRST, Strategy.PROPORTIONAL])),
            paid_on=draw(_days),
            overpayment=draw(st.sampled_from(OverpaymentPolicy)),
            payment_id=pid,
        )
        account = account.apply(result)
        if draw(st.integers(min_value=0, max_value=3)) == 0:
            # A reversal the account refuses (credit already spent) leaves it as it was.
            with contextlib.suppress(PayportalError):
                account = account.reverse(pid, on=draw(_days))
    if account.credit_balance and draw(st.booleans()):
        account = account.use_credit(
            strategy=Strategy.OLDEST_FIRST, on=draw(_days), payment_id="C-1"
        )
    return attrs.evolve(account, prepaid=draw(prepaid_accounts(currency=currency)))


@st.composite
def receipts(draw: st.DrawFn, *, currency: str = "EUR") -> Receipt:
    """Receipts of every kind, with settled documents (negative on a refund) and balances."""
    sequence = draw(st.integers(min_value=1, max_value=10**9))
    kind = draw(st.sampled_from(ReceiptKind))
    sign = -1 if kind is ReceiptKind.REFUND else 1
    settled = [
        SettledItem(key, draw(st.sampled_from(["", "invoice:inv-1"])), amount * sign)
        for key, amount in draw(
            st.lists(
                st.tuples(st.sampled_from(["RE-1", "RE-2", "MA-1"]), _positive(currency)),
                max_size=3 if kind is not ReceiptKind.TOP_UP else 0,
                unique_by=lambda pair: pair[0],
            )
        )
    ]
    return Receipt(
        number=receipt_number(sequence),
        sequence=sequence,
        kind=kind,
        customer_id=draw(_ids),
        issued_at=draw(aware_datetimes()),
        amount=draw(_positive(currency)),
        method=draw(st.sampled_from(["paypal", "card", "bank_transfer", "sepa_direct_debit"])),
        reference=draw(st.sampled_from(["", "RF18 1", "RE-1 / K-42"])),
        booking_id=draw(_ids),
        movement_key=draw(_ids),
        settled=settled,
        credit_left=draw(money(currency=currency, min_value=0, max_value=1_000)),
        prepaid_left=draw(money(currency=currency, min_value=0, max_value=1_000)),
    )


def account_statements(*, currency: str = "EUR") -> st.SearchStrategy[AccountStatement]:
    """Statements of :func:`accounts`, over their whole ledger."""
    return accounts(currency=currency).map(lambda account: account.statement())


def payment_requests(*, currency: str | None = None) -> st.SearchStrategy[PaymentRequest]:
    """What a merchant asks a provider to collect, with URLs and metadata."""
    codes = st.just(currency) if currency else currencies()
    return codes.flatmap(
        lambda code: st.builds(
            PaymentRequest,
            amount=_positive(code),
            reference=_ids,
            return_url=st.one_of(st.none(), st.just("https://shop.example/return")),
            cancel_url=st.one_of(st.none(), st.just("https://shop.example/cancel")),
            description=st.one_of(st.none(), _words),
            customer_email=st.one_of(st.none(), st.just("payer@example.com")),
            metadata=st.dictionaries(_ids, _words, max_size=3),
        )
    )


def payments(*, currency: str | None = None) -> st.SearchStrategy[Payment]:
    """Provider payments in any status, with instructions and refunds."""
    codes = st.just(currency) if currency else currencies()
    return codes.flatmap(
        lambda code: st.builds(
            Payment,
            id=_ids,
            provider=st.sampled_from(["paypal", "sofort", "bank_transfer"]),
            status=st.sampled_from(PaymentStatus),
            raw_status=st.sampled_from(["COMPLETED", "pending", ""]),
            amount=_positive(code),
            captured=money(currency=code, min_value=0, max_value=10_000),
            refunded=money(currency=code, min_value=0, max_value=10_000),
            reference=st.one_of(st.none(), _ids),
            redirect_url=st.one_of(st.none(), st.just("https://pay.example/approve/1")),
            instructions=st.dictionaries(_ids, _words, max_size=3),
            refunds=st.lists(
                st.builds(Refund, id=_ids, amount=_positive(code), raw_status=st.just("done")),
                max_size=2,
            ),
        )
    )


_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


def webhook_events() -> st.SearchStrategy[WebhookEvent]:
    """Verified webhook events with a JSON body as the provider sent it."""
    return st.builds(
        WebhookEvent,
        id=_ids,
        provider=st.sampled_from(["paypal", "billwerk"]),
        type=st.sampled_from(["PAYMENT.CAPTURE.COMPLETED", "invoice_settled"]),
        payment_id=st.one_of(st.none(), _ids),
        status=st.one_of(st.none(), st.sampled_from(PaymentStatus)),
        occurred_at=st.one_of(st.none(), aware_datetimes()),
        data=st.dictionaries(st.text(max_size=8), _json_values, max_size=4),
    )


def capabilities() -> st.SearchStrategy[Capabilities]:
    """Provider capability flags in any combination."""
    return st.builds(Capabilities, **{f.name: st.booleans() for f in attrs.fields(Capabilities)})


@st.composite
def link_claims(draw: st.DrawFn) -> LinkClaims:
    """Claims of customer and document links, with and without expiry and action limits."""
    customer_id = draw(_ids)
    subject = draw(st.sampled_from([f"customer:{customer_id}", "invoice:inv-17"]))
    issued = draw(st.datetimes(min_value=_FROM, max_value=_UNTIL, timezones=st.just(UTC)))
    expires = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=10**7)))
    return LinkClaims(
        subject=subject,
        customer_id=customer_id,
        purpose=draw(st.sampled_from(["portal", "document", "pay"])),
        issued_at=issued,
        expires_at=None if expires is None else issued + timedelta(seconds=expires),
        version=draw(st.integers(min_value=0, max_value=2**63 - 1)),
        actions=draw(st.one_of(st.none(), st.frozensets(st.sampled_from(Action)))),
    )


def statement_entries(*, currency: str | None = None) -> st.SearchStrategy[StatementEntry]:
    """Bank statement entries in either direction, with remittance data."""
    codes = st.just(currency) if currency else currencies()
    return codes.flatmap(
        lambda code: st.builds(
            StatementEntry,
            entry_id=_ids.map(lambda ident: f"ref:DE89370400440532013000:{ident}"),
            booking_date=_days,
            amount=money(currency=code, min_value=0, max_value=10_000),
            direction=st.sampled_from(Direction),
            value_date=st.one_of(st.none(), _days),
            counterparty_name=st.one_of(st.just(""), _words),
            counterparty_iban=st.sampled_from(("", *_IBANS)),
            remittance_text=st.text(max_size=40),
            creditor_references=st.lists(st.just("RF18539007547034"), max_size=1),
            end_to_end_id=st.one_of(st.just(""), _ids),
            reversal=st.booleans(),
        )
    )


def statements(*, currency: str = "EUR") -> st.SearchStrategy[Statement]:
    """Bank statements with a few entries and optional balances."""
    return st.builds(
        Statement,
        format=st.sampled_from(["camt.053", "mt940"]),
        statement_id=_ids,
        account=st.sampled_from(_IBANS),
        entries=st.lists(statement_entries(currency=currency), max_size=3),
        currency=st.one_of(st.none(), st.just(currency)),
        opening_balance=st.one_of(st.none(), money(currency=currency)),
        closing_balance=st.one_of(st.none(), money(currency=currency)),
        notes=st.lists(_words, max_size=2),
    )
