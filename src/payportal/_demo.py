"""The end-to-end demo behind ``python -m payportal demo``.

It builds a small merchant's world in memory and runs it through the library: portal settings
and access, documents and their totals, signed links, an e-mail rendered from a template, a
customer correcting their bank details, payments through the fake PayPal and PayEngine servers
over loopback, and their allocation to the customers' accounts. Nothing leaves 127.0.0.1 and
nothing is written to disk. Each step adds a section to a report that is printed as a readable
walk-through or as JSON.
"""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from payportal._money import Money, format_money
from payportal.accounts import CustomerAccount, OpenItem
from payportal.customers import (
    BANK_DATA,
    CONTACT_DATA,
    Address,
    BankAccount,
    Company,
    Customer,
    MasterDataChange,
)
from payportal.documents import (
    CreditNote,
    DeliveryNote,
    Document,
    DocumentType,
    Invoice,
    LineItem,
    Offer,
    OrderConfirmation,
    PayableDocument,
    RemindedInvoice,
    Reminder,
)
from payportal.i18n import translator_for
from payportal.links import HmacKey, KeyRing, LinkSigner, PortalUrls
from payportal.placeholders import RenderContext, Template
from payportal.portal import AccessPolicy, Action, CustomerAccess, PortalSettings
from payportal.providers import BankTransfer, PaymentRequest
from payportal.reconciliation import read_statement
from payportal.storage import SQLiteStorage

if TYPE_CHECKING:
    from collections.abc import Callable

    from payportal.allocation import AllocationResult

__all__ = ["build_report", "run"]

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TODAY = NOW.date()

# A fixed demo secret so the printed links are reproducible; a real app loads its keys from
# its secret store and never hard-codes them.
_DEMO_MASTER_SECRET = b"payportal demo master secret -- not for production use"


def _eur(amount: str) -> Money:
    return Money(amount, "EUR")


class _World:
    """The merchant, the customers and their documents, as the demo builds them up.

    The demo keeps the portal's state where an app would by default: in SQLite files
    (:class:`~payportal.storage.SQLiteStorage`, WAL mode), here in a temporary folder that
    :meth:`close` removes.
    """

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="payportal-demo-")
        self._storages: list[SQLiteStorage] = []
        self.company = Company(
            name="Druckerei Beispiel GmbH",
            address=Address(
                street="Industriestr. 7", postal_code="50667", city="Köln", country="DE"
            ),
            email="rechnung@druckerei.example",
            bank_accounts=[
                BankAccount(
                    iban="DE89370400440532013000",
                    bic="COBADEFFXXX",
                    holder="Druckerei Beispiel GmbH",
                )
            ],
            vat_id="DE136695976",
        )
        self.erika = Customer(
            id="c-42",
            number="K-1042",
            name="Erika Mustermann",
            company="Mustermann Verlag",
            email="erika@mustermann.example",
            address=Address(street="Hauptstr. 1", postal_code="10115", city="Berlin", country="DE"),
            bank_accounts=[BankAccount(iban="DE02120300000000202051", holder="Erika Mustermann")],
            locale="de_DE",
        )
        self.john = Customer(
            id="c-77",
            number="K-1077",
            name="John Murphy",
            email="john@murphy.example",
            address=Address(
                street="12 Grafton Street", postal_code="D02", city="Dublin", country="IE"
            ),
            locale="en_IE",
        )
        self.documents: list[Document] = self._documents()

    def storage(self, name: str) -> SQLiteStorage:
        """A new SQLite database file ``name`` in the demo's folder, migrated."""
        storage = SQLiteStorage(Path(self._folder.name) / f"{name}.sqlite3", clock=lambda: NOW)
        storage.migrate()
        self._storages.append(storage)
        return storage

    def close(self) -> None:
        """Close every database and remove the demo's folder."""
        for storage in self._storages:
            storage.close()
        self._folder.cleanup()

    def _documents(self) -> list[Document]:
        books = LineItem(
            title="Fachbuch Buchhaltung",
            quantity=2,
            unit="Stk",
            unit_price=_eur("39.90"),
            tax_rate=Decimal(7),
        )
        consulting = LineItem(
            title="Satz und Beratung",
            quantity=Decimal("3.5"),
            unit="h",
            unit_price=_eur("95.00"),
            tax_rate=Decimal(19),
        )
        invoice = Invoice(
            id="inv-17",
            number="RE-2026-17",
            customer_id=self.erika.id,
            issued_on=date(2026, 10, 1),
            due_on=date(2026, 10, 15),
            lines=[books, consulting],
        )
        return [
            invoice,
            Reminder(
                id="rem-3",
                number="MA-2026-3",
                customer_id=self.erika.id,
                issued_on=date(2026, 11, 1),
                due_on=date(2026, 11, 15),
                reminded=[
                    RemindedInvoice(
                        invoice_id=invoice.id,
                        number=invoice.number,
                        amount_open=invoice.amount_due,
                        due_on=invoice.due_on,
                    )
                ],
                fee=_eur("5.00"),
            ),
            CreditNote(
                id="cn-2",
                number="GS-2026-2",
                customer_id=self.erika.id,
                issued_on=date(2026, 10, 20),
                invoice_id=invoice.id,
                reason="Misprint on two copies",
                lines=[
                    LineItem(
                        title="Gutschrift Fehldruck",
                        quantity=2,
                        unit_price=_eur("12.00"),
                        tax_rate=Decimal(19),
                    )
                ],
            ),
            Offer(
                id="off-8",
                number="AN-2026-8",
                customer_id=self.erika.id,
                issued_on=date(2026, 11, 10),
                valid_until=date(2026, 12, 10),
                lines=[
                    LineItem(
                        title="Jahreswartung Druckvorstufe",
                        quantity=1,
                        unit_price=_eur("1200.00"),
                        tax_rate=Decimal(19),
                    )
                ],
            ),
            OrderConfirmation(
                id="oc-5",
                number="AB-2026-5",
                customer_id=self.erika.id,
                issued_on=date(2026, 11, 12),
                offer_id="off-7",
                delivery_on=date(2026, 11, 30),
                lines=[books],
            ),
            DeliveryNote(
                id="dn-4",
                number="LS-2026-4",
                customer_id=self.erika.id,
                issued_on=date(2026, 11, 14),
                delivered_on=date(2026, 11, 14),
                lines=[LineItem(title="Fachbuch Buchhaltung", quantity=2, unit="Stk")],
            ),
            Invoice(
                id="inv-21",
                number="RE-2026-21",
                customer_id=self.john.id,
                issued_on=date(2026, 11, 2),
                due_on=date(2026, 11, 30),
                currency="EUR",
                lines=[
                    LineItem(
                        title="Business cards, 500",
                        quantity=4,
                        unit_price=_eur("62.50"),
                        tax_rate=Decimal(19),
                    ),
                    LineItem(
                        title="Express delivery",
                        quantity=1,
                        unit_price=_eur("15.00"),
                        tax_rate=Decimal(19),
                        discount=Decimal(50),
                    ),
                ],
            ),
        ]

    def replace(self, document: Document) -> None:
        self.documents = [document if d.id == document.id else d for d in self.documents]

    def of(self, customer: Customer) -> list[Document]:
        return [d for d in self.documents if d.customer_id == customer.id]

    def get(self, document_id: str) -> Document:
        return next(d for d in self.documents if d.id == document_id)


def _portal(world: _World) -> tuple[PortalSettings, AccessPolicy, dict[str, Any]]:
    # John's account is new: he may look at and pay his documents but not edit master data.
    settings = PortalSettings.default().with_override(
        world.john,
        CustomerAccess(actions={Action.VIEW, Action.DOWNLOAD, Action.PRINT, Action.PAY}),
    )
    policy = AccessPolicy(settings, today=lambda: TODAY)
    section: dict[str, Any] = {}
    for customer in (world.erika, world.john):
        section[customer.number] = {
            "documents": [
                _document_entry(document, customer, policy)
                for document in policy.visible(customer, world.documents)
            ],
            "account_actions": sorted(a.value for a in policy.account_actions(customer)),
        }
    return settings, policy, section


def _document_entry(document: Document, customer: Customer, policy: AccessPolicy) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "type": document.type.value,
        "number": document.number,
        "actions": sorted(a.value for a in policy.allowed_actions(customer, document)),
    }
    if isinstance(document, PayableDocument | Offer | CreditNote | OrderConfirmation):
        entry["total"] = format_money(document.total, customer.locale)
        entry["taxes"] = [
            {
                "rate": f"{tax.rate} %",
                "net": format_money(tax.net, customer.locale),
                "tax": format_money(tax.tax, customer.locale),
            }
            for tax in document.totals.taxes
        ]
    if isinstance(document, PayableDocument):
        entry["amount_due"] = format_money(document.amount_due, customer.locale)
    return entry


def _links(world: _World) -> tuple[PortalUrls, dict[str, Any]]:
    signer = LinkSigner(
        KeyRing([HmacKey.derive(_DEMO_MASTER_SECRET, "portal-links", kid="demo-2026")]),
        default_ttl=timedelta(days=30),
        clock=lambda: NOW,
    )
    urls = PortalUrls("https://portal.druckerei.example", signer)
    invoice = world.get("inv-17")
    customer_url = urls.customer_url(world.erika)
    invoice_url = urls.document_url(invoice)
    claims = urls.resolve(invoice_url)
    return urls, {
        "customer_url": customer_url,
        "invoice_url": invoice_url,
        "invoice_link_opens": claims.subject,
        "invoice_link_expires": claims.expires_at.isoformat() if claims.expires_at else None,
    }


def _email(world: _World, urls: PortalUrls, customer: Customer, invoice_id: str) -> dict[str, Any]:
    # payportal's default invoice e-mail in the customer's language, dates and amounts too.
    email = translator_for(customer.locale).email(DocumentType.INVOICE)
    context = RenderContext(
        customer=customer, documents=[world.get(invoice_id)], company=world.company, urls=urls
    )
    subject, text = email.render(context)
    return {
        "locale": email.locale,
        "placeholders": [p.token for p in Template.compile(email.body).placeholders],
        "subject": subject,
        "text": text,
    }


def _offer_accepted(world: _World, policy: AccessPolicy) -> dict[str, Any]:
    offer = world.get("off-8")
    assert isinstance(offer, Offer)
    policy.check(world.erika, offer, Action.ACCEPT, on=TODAY)
    accepted = offer.accept(at=NOW)
    world.replace(accepted)
    return {
        "offer": accepted.number,
        "status": accepted.status.value,
        "total": format_money(accepted.total, world.erika.locale),
        "actions_now": sorted(a.value for a in policy.allowed_actions(world.erika, accepted)),
    }


def _bank_details(world: _World, policy: AccessPolicy) -> dict[str, Any]:
    policy.check_account(world.erika, Action.EDIT_MASTER_DATA)
    change = MasterDataChange.from_dict(
        {"bank_accounts": [{"iban": "de44 5001 0517 5407 3249 31", "holder": "Erika Mustermann"}]}
    )
    world.erika, record = world.erika.apply_change(
        change, editable=CONTACT_DATA | BANK_DATA, at=NOW
    )
    refused = ""
    try:
        world.erika.apply_change(MasterDataChange(vat_id="DE136695976"), editable=CONTACT_DATA)
    except Exception as error:  # noqa: BLE001 - shown to the reader as it is
        refused = str(error)
    return {
        "changed": [c.field for c in record.changes],
        "new_iban": world.erika.bank_accounts[0].formatted_iban,
        "refused_tax_change": refused,
    }


def _pay_and_book(
    make_client: Callable[[Any, str], Any],
    fake: Any,
    world: _World,
    document: PayableDocument,
    amount: Money,
) -> tuple[Any, str, AllocationResult, CustomerAccount]:
    """Pay ``amount`` on ``document`` through the one booking path: a ``Portal`` over a
    storage stores the intent and creates the payment at a fake server over loopback, the
    payer approves, and ``complete`` (the return to the portal) captures and books it. The
    documents get the shares the booking gave them (paying a reminder pays its fee, then the
    invoices it reminds of)."""
    from payportal.booking import Portal  # noqa: PLC0415

    storage = world.storage(f"pay-{document.id}")
    reminded = document.invoice_ids if isinstance(document, Reminder) else ()
    documents = [document, *(world.get(i) for i in reminded)]
    with storage.transaction() as tx:
        # A reminder's item holds only its charges; the invoices it reminds of keep their
        # own items for the principal, so nothing is owed twice.
        tx.save_account(
            CustomerAccount(
                customer_id=document.customer_id,
                currency=document.currency,
                items=[
                    OpenItem.from_document(d) for d in documents if isinstance(d, PayableDocument)
                ],
            ),
            version=0,
        )
        for stored in documents:
            tx.save_document(stored, version=0)
    with fake.serve() as base_url:
        client = make_client(fake, base_url)
        try:
            portal = Portal(
                storage=storage,
                providers=[client],
                return_url="https://portal.druckerei.example/paid",
                cancel_url="https://portal.druckerei.example/cancelled",
                clock=lambda: NOW,
            )
            checkout = portal.pay(
                document.customer_id, documents=[document.id], amount=amount, method=client.name
            )
            fake.approve(checkout.payment.id)
            done = portal.complete(checkout.intent.id)
        finally:
            client.close()
    with storage.transaction() as tx:
        account = tx.load_account(document.customer_id)
        for booked in tx.documents_of(document.customer_id):
            world.replace(booked.value)
    assert account is not None
    assert done.payment is not None
    return done.payment, base_url, account.value.allocations[checkout.intent.id], account.value


def _payments(world: _World) -> dict[str, Any]:
    # Imported here: the fakes are test doubles, and only this part of the demo needs them.
    from payportal.providers.payengine import PayEngine  # noqa: PLC0415
    from payportal.providers.paypal import PayPal  # noqa: PLC0415
    from payportal.testing.fake_payengine import FakePayEngine  # noqa: PLC0415
    from payportal.testing.fake_paypal import FakePayPal  # noqa: PLC0415

    section: dict[str, Any] = {}

    # John pays part of his invoice with PayPal.
    johns = world.get("inv-21")
    assert isinstance(johns, Invoice)
    paypal_payment, paypal_url, result, account = _pay_and_book(
        lambda fake, url: PayPal(fake.client_id, fake.client_secret, base_url=url),
        FakePayPal(),
        world,
        johns,
        _eur("150.00"),
    )
    section["paypal"] = {
        "server": paypal_url,
        "invoice": johns.number,
        "status": paypal_payment.status.value,
        "paid": format_money(paypal_payment.captured, world.john.locale),
        "still_open": format_money(account.items[johns.number].amount_open, world.john.locale),
        "account_balance": format_money(account.balance, world.john.locale),
    }

    # Erika pays her reminder by card through PayEngine and rounds the amount up: its fee
    # first, then the invoice it reminds of (BGB §367), which is then paid too.
    reminder = world.get("rem-3")
    assert isinstance(reminder, Reminder)
    payengine_payment, payengine_url, result, erikas = _pay_and_book(
        lambda fake, url: PayEngine(fake.merchant_id, fake.api_key, base_url=url),
        FakePayEngine(),
        world,
        reminder,
        _eur("500.00"),
    )
    section["payengine"] = {
        "server": payengine_url,
        "reminder": reminder.number,
        "status": payengine_payment.status.value,
        "paid": format_money(payengine_payment.captured, world.erika.locale),
        "allocated": [
            {
                "item": line.item,
                "component": line.component.value,
                "amount": format_money(line.amount, world.erika.locale),
            }
            for line in result.lines
        ],
        "kept_as_credit": format_money(erikas.credit_balance, world.erika.locale),
        # The reminder and the invoices it reminds of, as the booking left them.
        "settled": {
            d.number: d.state.value
            for d in (world.get(reminder.id), *(world.get(i) for i in reminder.invoice_ids))
            if isinstance(d, PayableDocument)
        },
        "still_open": format_money(erikas.open_total, world.erika.locale),
    }
    return section


CAMT053 = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>DEMO-{day}</MsgId><CreDtTm>{day}T18:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>DEMO-STMT-{day}</Id>
      <CreDtTm>{day}T18:00:00</CreDtTm>
      <Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>EUR</Ccy></Acct>
      <Ntry>
        <Amt Ccy="EUR">{amount}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>{day}</Dt></BookgDt>
        <ValDt><Dt>{day}</Dt></ValDt>
        <AcctSvcrRef>DEMO-BANK-0001</AcctSvcrRef>
        <BkTxCd><Prtry><Cd>NTRF+166</Cd><Issr>DK</Issr></Prtry></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
          <RltdPties>
            <Dbtr><Nm>{payer}</Nm></Dbtr>
            <DbtrAcct><Id><IBAN>{payer_iban}</IBAN></Id></DbtrAcct>
          </RltdPties>
          <RmtInf><Ustrd>Guthaben aufladen {reference}</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
"""


def _prepaid_top_up(world: _World, policy: AccessPolicy) -> dict[str, Any]:
    """A prepaid top-up by bank transfer through the one booking path: the portal records
    the intent and shows the transfer instructions; the bank statement books the money as
    a pending top-up; the merchant's release credits it to the prepaid balance."""
    from payportal.booking import Portal  # noqa: PLC0415

    policy.check_account(world.erika, Action.TOP_UP)
    amount = _eur("50.00")
    storage = world.storage("top-up")
    with storage.transaction() as tx:
        tx.save_account(CustomerAccount(customer_id=world.erika.id, currency="EUR"), version=0)
    bank = BankTransfer(world.company, prefix="TOPUP", clock=lambda: NOW)
    portal = Portal(
        storage=storage,
        providers=[bank],
        return_url="https://portal.druckerei.example/paid",
        cancel_url="https://portal.druckerei.example/cancelled",
        clock=lambda: NOW,
        new_id=lambda: f"pi-topup-{world.erika.number}",
    )
    checkout = portal.pay(
        world.erika.id, top_up=amount, method="bank_transfer", reference=world.erika.number
    )
    instructions = checkout.instructions
    # The customer transfers the money; the demo writes the bank's camt.053 for the evening.
    statement = CAMT053.format(
        day=TODAY.isoformat(),
        iban=world.company.bank_accounts[0].iban,
        amount=amount.amount,
        payer=world.erika.name,
        payer_iban=world.erika.bank_accounts[0].iban,
        reference=instructions["reference_formatted"].lower(),
    )
    (parsed,) = read_statement(statement.encode(), source="demo-camt053.xml")
    (entry,) = parsed.entries
    # The statement's reference names the transfer: booked as a pending top-up.
    outcomes = portal.receive(entry)
    with storage.transaction() as tx:
        stored = tx.load_account(world.erika.id)
    assert stored is not None
    pending = stored.value.prepaid.pending_amount
    status_after_statement = portal.intent(checkout.intent.id).status
    # The merchant sees the money on the bank account and releases it.
    released = portal.release(checkout.intent.id)
    with storage.transaction() as tx:
        topics = [message.topic for message in tx.outbox(limit=100)]
    prepaid = released.account.prepaid
    return {
        "intent": checkout.intent.id,
        "reference": instructions["reference_formatted"],
        "iban": instructions["iban_formatted"],
        "epc_qr_lines": instructions["epc_qr"].split("\n"),
        "statement_entry": {
            "entry_id": entry.entry_id,
            "remittance_text": entry.remittance_text,
            "amount": format_money(entry.amount, world.erika.locale),
        },
        "booked": [outcome.outcome.value for outcome in outcomes],
        "status_after_statement": status_after_statement.value,
        "pending_after_statement": format_money(pending, world.erika.locale),
        "status_after_release": portal.intent(checkout.intent.id).status.value,
        "prepaid_balance": format_money(prepaid.balance, world.erika.locale),
        "pending_after_release": format_money(prepaid.pending_amount, world.erika.locale),
        "outbox": topics,
    }


CAMT054 = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr><MsgId>DEMO-054-{day}</MsgId><CreDtTm>{day}T18:00:00+01:00</CreDtTm></GrpHdr>
    <Ntfctn>
      <Id>DEMO-054-{day}-1</Id>
      <Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>EUR</Ccy></Acct>
      <Ntry>
        <Amt Ccy="EUR">{amount}</Amt>
        <CdtDbtInd>{direction}</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>{day}</Dt></BookgDt>
        <AcctSvcrRef>DEMO-054-{day}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RDDT</Cd><SubFmlyCd>{family}</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>{end_to_end_id}</EndToEndId><MndtId>{mandate}</MndtId></Refs>
          <Amt Ccy="EUR">{amount}</Amt>
          <RmtInf><Ustrd>{remittance}</Ustrd></RmtInf>{return_info}
        </TxDtls></NtryDtls>
      </Ntry>
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>
"""


def _camt054_entry(iban: str, day: date, record: Any, *, return_reason: str | None = None) -> Any:
    """The bank's camt.054 notification of a collection credited, or returned with
    ``return_reason``, read back into a statement entry."""
    text = CAMT054.format(
        day=day.isoformat(),
        iban=iban,
        amount=record.amount.amount,
        direction="CRDT" if return_reason is None else "DBIT",
        family="ESDD" if return_reason is None else "UPDD",
        end_to_end_id=record.end_to_end_id,
        mandate=record.mandate_reference,
        remittance=" ".join(record.item_keys),
        return_info=""
        if return_reason is None
        else f"\n          <RtrInf><Rsn><Cd>{return_reason}</Cd></Rsn></RtrInf>",
    )
    (parsed,) = read_statement(text.encode(), source=f"demo-camt054-{day}.xml")
    (entry,) = parsed.entries
    return entry


def _direct_debit(world: _World) -> dict[str, Any]:
    """SEPA direct debit through the one booking path: the customer grants a mandate in
    the portal, the open invoice is collected in a pain.008 file and booked as pending; the
    bank's credit books it as paid; a camt.054 return (AC04, account closed) reverses it,
    charges the return fee and blocks the mandate."""
    from payportal.booking import Portal  # noqa: PLC0415
    from payportal.mandates import Creditor, Scheme, mandate_text, read_pain008  # noqa: PLC0415

    # The monthly subscription invoice, paid by direct debit.
    invoice = Invoice(
        id="inv-31",
        number="RE-2026-31",
        customer_id=world.erika.id,
        issued_on=date(2026, 11, 2),
        due_on=date(2026, 11, 16),
        lines=[
            LineItem(
                title="Druckerei-Abo November",
                quantity=1,
                unit_price=_eur("49.00"),
                tax_rate=Decimal(19),
            )
        ],
    )
    storage = world.storage("direct-debit")
    with storage.transaction() as tx:
        account = CustomerAccount(customer_id=world.erika.id, currency="EUR")
        tx.save_account(account.add(OpenItem.from_document(invoice)), version=0)
        tx.save_document(invoice, version=0)
    company_account = world.company.bank_accounts[0]
    creditor = Creditor(
        name=world.company.name,
        iban=company_account.iban,
        bic=company_account.bic or "",
        creditor_id="DE98ZZZ09999999999",
    )
    portal = Portal(
        storage=storage,
        providers=[],
        return_url="https://portal.druckerei.example/paid",
        cancel_url="https://portal.druckerei.example/cancelled",
        clock=lambda: NOW,
        creditor=creditor,
        return_fee=_eur("3.00"),
    )
    locale = world.erika.locale
    debtor = world.erika.bank_accounts[0]
    mandate = portal.grant_mandate(
        world.erika.id,
        iban=debtor.iban,
        # The account she gave in step 5 is at ING (bank code 500 105 17).
        bic=debtor.bic or "INGDDEFFXXX",
        holder=debtor.holder,
        # The reference comes from the portal's sequence when the mandate is stored, so the
        # text the customer confirms says it follows (with the pre-notification).
        consent_text=mandate_text(
            Scheme.CORE,
            "de",
            creditor_name=creditor.name,
            creditor_id=creditor.creditor_id,
            mandate_reference="wird separat mitgeteilt",
        ),
    )
    batch = portal.collect(on=TODAY)
    (record,) = batch.records
    (read,) = read_pain008(batch.xml).records
    again = portal.collect(on=TODAY)
    credited = portal.receive(_camt054_entry(creditor.iban, record.due_date, record))
    with storage.transaction() as tx:
        stored = tx.load_document(invoice.id)
    assert stored is not None
    state_after_credit = stored.value.state.value  # type: ignore[attr-defined]
    returned_on = record.due_date + timedelta(days=3)
    returned = portal.receive(
        _camt054_entry(creditor.iban, returned_on, record, return_reason="AC04")
    )
    with storage.transaction() as tx:
        after = tx.load_account(world.erika.id)
        stored = tx.load_document(invoice.id)
        topics = [message.topic for message in tx.outbox(limit=100)]
    assert after is not None
    assert stored is not None
    (blocked,) = portal.mandates(world.erika.id)
    return {
        "mandate": mandate.reference,
        "iban": mandate.iban,
        "scheme": mandate.scheme.value,
        "pain008": {
            "message_id": batch.message_id,
            "bytes": len(batch.xml),
            # The file after its XML declaration, shortened: what goes to the bank.
            "head": batch.xml.decode().partition("?>")[2].strip()[:150],
            "end_to_end_id": read.end_to_end_id,
            "sequence_type": read.sequence_type.value,
            "due_date": read.due_date.isoformat(),
            "amount": format_money(read.amount, locale),
        },
        "collected_again": len(again),
        "credit": [outcome.outcome.value for outcome in credited],
        "state_after_credit": state_after_credit,
        "return": [outcome.outcome.value for outcome in returned],
        "state_after_return": stored.value.state.value,  # type: ignore[attr-defined]
        "open_items": {
            item.key: format_money(item.amount_open, locale) for item in after.value.open_items
        },
        "mandate_state": blocked.state.value,
        "mandate_reason": blocked.state_reason,
        "outbox": topics,
    }


def _billpay_order(world: _World) -> dict[str, Any]:
    """An invoice purchase through BillPay: approved at once, activated when the goods ship."""
    from payportal.providers import BillPay  # noqa: PLC0415
    from payportal.testing.fake_billpay import FakeBillPay, sample_buyer  # noqa: PLC0415

    order = world.get("oc-5")
    assert isinstance(order, OrderConfirmation)
    fake = FakeBillPay()
    with fake.serve() as base_url:
        billpay = BillPay(
            fake.merchant_id,
            fake.portal_id,
            fake.security_key,
            base_url=base_url + "/xml/offline",
            today=lambda: TODAY,
        )
        try:
            approved = billpay.create_payment(
                PaymentRequest(amount=order.total, reference=order.number, metadata=sample_buyer())
            )
            activated = billpay.capture(approved.id)
        finally:
            billpay.close()
    return {
        "order": order.number,
        "amount": format_money(order.total, world.erika.locale),
        "approved": approved.status.value,
        "activate_by": approved.instructions["activation_deadline"],
        "status": activated.status.value,
        "reference": activated.instructions["reference"],
        "pay_to": activated.instructions["iban"],
        "due_date": activated.instructions.get("due_date"),
    }


def build_report() -> dict[str, Any]:
    """Run the demo and return what it found, as plain data."""
    world = _World()
    try:
        return _report(world)
    finally:
        world.close()


def _report(world: _World) -> dict[str, Any]:
    _, policy, portal = _portal(world)
    urls, links = _links(world)
    report: dict[str, Any] = {
        "today": TODAY.isoformat(),
        "company": world.company.name,
        "customers": {
            c.number: {"name": c.display_name, "locale": c.locale}
            for c in (world.erika, world.john)
        },
        "portal": portal,
        "links": links,
        "email": _email(world, urls, world.erika, "inv-17"),
        "email_en": _email(world, urls, world.john, "inv-21"),
        "offer": _offer_accepted(world, policy),
        "master_data": _bank_details(world, policy),
        "payments": _payments(world),
        "prepaid": _prepaid_top_up(world, policy),
        "billpay": _billpay_order(world),
        "direct_debit": _direct_debit(world),
    }
    return report


def _print_text(report: dict[str, Any], out: IO[str]) -> None:
    write = out.write
    write(f"payportal demo — {report['company']}, {report['today']}\n")
    write("\n1. Customers and what the portal shows them\n")
    for number, seen in report["portal"].items():
        customer = report["customers"][number]
        write(f"   {number} {customer['name']} ({customer['locale']})\n")
        for doc in seen["documents"]:
            line = f"     {doc['type']:<19} {doc['number']:<11}"
            if "total" in doc:
                line += f" total {doc['total']:>12}"
            if "amount_due" in doc:
                line += f"  due {doc['amount_due']:>12}"
            write(line.rstrip() + "\n")
            for tax in doc.get("taxes", []):
                write(f"       VAT {tax['rate']:>5} on {tax['net']:>12}: {tax['tax']:>10}\n")
            write(f"       may: {', '.join(doc['actions']) or '-'}\n")
        write(f"     account: {', '.join(seen['account_actions']) or '-'}\n")
    links = report["links"]
    write("\n2. Signed portal links\n")
    write(f"   portal:  {links['customer_url']}\n")
    write(f"   invoice: {links['invoice_url']}\n")
    write(f"   opens {links['invoice_link_opens']}, valid until {links['invoice_link_expires']}\n")
    write("\n3. E-mail rendered from the default template, in each customer's language\n")
    for email in (report["email"], report["email_en"]):
        write(f"   ({email['locale']}) Subject: {email['subject']}\n")
        for text_line in email["text"].splitlines():
            write(f"   | {text_line}\n")
    offer = report["offer"]
    write("\n4. The customer accepts an offer\n")
    write(f"   {offer['offer']} ({offer['total']}) is {offer['status']}; ")
    write(f"left to do: {', '.join(offer['actions_now'])}\n")
    master = report["master_data"]
    write("\n5. The customer corrects their bank details\n")
    write(f"   changed {', '.join(master['changed'])}: IBAN now {master['new_iban']}\n")
    write(f"   refused: {master['refused_tax_change']}\n")
    payments = report["payments"]
    paypal, payengine = payments["paypal"], payments["payengine"]
    write("\n6. Payments through fake providers on loopback\n")
    write(
        f"   PayPal ({paypal['server']}): {paypal['paid']} on {paypal['invoice']}, "
        f"{paypal['status']}; still open {paypal['still_open']}\n"
    )
    write(
        f"   PayEngine ({payengine['server']}): {payengine['paid']} on "
        f"{payengine['reminder']}, {payengine['status']}\n"
    )
    for line in payengine["allocated"]:
        write(f"     -> {line['item']} {line['component']}: {line['amount']}\n")
    write(
        f"     overpayment kept as credit: {payengine['kept_as_credit']}\n     settled: "
        + ", ".join(f"{number} {state}" for number, state in payengine["settled"].items())
        + f"; still open {payengine['still_open']}\n"
    )
    prepaid = report["prepaid"]
    write("\n7. Prepaid top-up by bank transfer\n")
    write(f"   transfer to {prepaid['iban']} with reference {prepaid['reference']}\n")
    write(f"   EPC QR payload: {' | '.join(prepaid['epc_qr_lines'])}\n")
    entry = prepaid["statement_entry"]
    write(
        f"   camt.053 entry {entry['entry_id']}: {entry['amount']} '{entry['remittance_text']}'\n"
    )
    write(
        f"   the statement's reference names intent {prepaid['intent']}: "
        f"{', '.join(prepaid['booked'])}, {prepaid['status_after_statement']}; "
        f"{prepaid['pending_after_statement']} waits for the merchant's release\n"
    )
    write(
        f"   released: intent {prepaid['status_after_release']}; prepaid balance "
        f"{prepaid['prepaid_balance']}, pending {prepaid['pending_after_release']}\n"
    )
    write(f"   outbox: {', '.join(prepaid['outbox'])}\n")
    _print_billpay(report["billpay"], write)
    _print_direct_debit(report["direct_debit"], write)


def _print_billpay(billpay: dict[str, Any], write: Callable[[str], object]) -> None:
    write("\n8. Invoice purchase with BillPay\n")
    write(
        f"   {billpay['order']} ({billpay['amount']}): {billpay['approved']}, "
        f"activate by {billpay['activate_by']}; now {billpay['status']}\n"
    )
    write(
        f"   the customer pays {billpay['pay_to']} quoting {billpay['reference']}"
        f" by {billpay['due_date']}\n"
    )


def _print_direct_debit(debit: dict[str, Any], write: Callable[[str], object]) -> None:
    pain = debit["pain008"]
    write("\n9. SEPA direct debit: mandate, collection, return\n")
    write(f"   mandate {debit['mandate']} ({debit['scheme']}) on {debit['iban']}\n")
    write(
        f"   pain.008 {pain['message_id']} ({pain['bytes']} bytes): {pain['sequence_type']} "
        f"{pain['end_to_end_id']} {pain['amount']} due {pain['due_date']}; "
        f"collected again the same day: {debit['collected_again']}\n"
    )
    write(f"   | {pain['head']}...\n")
    write(
        f"   camt.054 credit: {', '.join(debit['credit'])}, invoice {debit['state_after_credit']}\n"
    )
    write(
        f"   camt.054 return AC04: {', '.join(debit['return'])}, invoice "
        f"{debit['state_after_return']}; mandate {debit['mandate_state']} "
        f"({debit['mandate_reason']})\n"
    )
    write(
        "   open: "
        + ", ".join(f"{key} {amount}" for key, amount in debit["open_items"].items())
        + "\n"
    )
    write(f"   outbox: {', '.join(debit['outbox'])}\n")


def run(out: IO[str], *, as_json: bool = False) -> int:
    """Run the demo, write it to ``out``, and return the process exit code."""
    report = build_report()
    if as_json:
        json.dump(report, out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        _print_text(report, out)
    return 0
