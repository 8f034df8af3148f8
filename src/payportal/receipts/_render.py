"""Receipts in the customer's language: the lines of a receipt and its default e-mail.

A receipt's values are placeholders too (``[Receipt.number]``, ``[Receipt.amount]``,
``[Receipt.issued_on:long]``, ``[Receipt.method]``, ``[Receipt.reference]``,
``[Receipt.settled]``, ``[Receipt.credit_left]``, ``[Receipt.prepaid_left]``): render a
template with ``RenderContext(..., extra={"Receipt": receipt})``.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

import babel.dates

from payportal._money import Money, format_money
from payportal.exceptions import ValidationError
from payportal.i18n import NC_, EmailTemplate, EmailText, Text, Translations
from payportal.receipts._model import Receipt, ReceiptKind

if TYPE_CHECKING:
    from collections.abc import Mapping

    from payportal.placeholders import RenderContext

__all__ = ["RECEIPT_EMAILS", "RECEIPT_TEXTS", "receipt_context", "receipt_email", "receipt_lines"]

#: The headings of a receipt, translatable (context ``"receipt"``).
RECEIPT_TEXTS: Final[Mapping[str, Text]] = MappingProxyType(
    {
        ReceiptKind.PAYMENT.value: NC_("receipt", "Receipt for your payment"),
        ReceiptKind.TOP_UP.value: NC_("receipt", "Receipt for your top-up"),
        ReceiptKind.REFUND.value: NC_("receipt", "Receipt for your refund"),
        "number": NC_("receipt", "Receipt number"),
        "date": NC_("receipt", "Date"),
        "amount_received": NC_("receipt", "Amount received"),
        "amount_refunded": NC_("receipt", "Amount paid back"),
        "method": NC_("receipt", "Payment method"),
        "reference": NC_("receipt", "Payment reference"),
        "settled": NC_("receipt", "Settled"),
        "credit_left": NC_("receipt", "Credit balance left"),
        "prepaid_left": NC_("receipt", "Prepaid balance"),
        "receipts": NC_("receipt", "Receipts"),
        "download": NC_("receipt", "Download receipt"),
    }
)

#: The default e-mail of each kind of receipt, in English; translated in the catalogs like
#: every other text (a merchant rewords them with :class:`payportal.i18n.TextOverrides`).
RECEIPT_EMAILS: Final[Mapping[ReceiptKind, EmailTemplate]] = MappingProxyType(
    {
        ReceiptKind.PAYMENT: EmailTemplate(
            NC_("e-mail subject: receipt", "Receipt [Receipt.number] from [Company.name]"),
            NC_(
                "e-mail body: receipt",
                "Dear [Client.name],\n"
                "\n"
                "thank you for your payment of [Receipt.amount] on [Receipt.issued_on:long] "
                "([Receipt.method], reference [Receipt.reference]).\n"
                "It settled:\n"
                "[Receipt.settled]\n"
                "Your credit balance is now [Receipt.credit_left].\n"
                "\n"
                "All your receipts and documents: [Client.customerportal_url]\n"
                "\n"
                "Kind regards\n"
                "[Company.name]\n",
            ),
        ),
        ReceiptKind.TOP_UP: EmailTemplate(
            NC_("e-mail subject: top-up receipt", "Receipt [Receipt.number] from [Company.name]"),
            NC_(
                "e-mail body: top-up receipt",
                "Dear [Client.name],\n"
                "\n"
                "we have received your top-up of [Receipt.amount] on "
                "[Receipt.issued_on:long] ([Receipt.method], reference [Receipt.reference]).\n"
                "Your prepaid balance is now [Receipt.prepaid_left].\n"
                "\n"
                "All your receipts and documents: [Client.customerportal_url]\n"
                "\n"
                "Kind regards\n"
                "[Company.name]\n",
            ),
        ),
        ReceiptKind.REFUND: EmailTemplate(
            NC_("e-mail subject: refund receipt", "Receipt [Receipt.number] from [Company.name]"),
            NC_(
                "e-mail body: refund receipt",
                "Dear [Client.name],\n"
                "\n"
                "we have paid back [Receipt.amount] to you on [Receipt.issued_on:long] "
                "([Receipt.method], reference [Receipt.reference]).\n"
                "Your credit balance is now [Receipt.credit_left].\n"
                "\n"
                "All your receipts and documents: [Client.customerportal_url]\n"
                "\n"
                "Kind regards\n"
                "[Company.name]\n",
            ),
        ),
    }
)


def _check(receipt: object, texts: object) -> tuple[Receipt, Translations]:
    if not isinstance(receipt, Receipt):
        raise ValidationError("must be a Receipt", field="receipt", value=receipt)
    if not isinstance(texts, Translations):
        raise ValidationError("must be payportal.i18n Translations", field="texts", value=texts)
    return receipt, texts


def receipt_email(receipt: Receipt, texts: Translations) -> EmailText:
    """The default e-mail of ``receipt`` in the language of ``texts``, ready to render
    with :func:`receipt_context`.

    Raises:
        ValidationError: ``receipt`` is not a Receipt or ``texts`` not Translations.
    """
    receipt, texts = _check(receipt, texts)
    template = RECEIPT_EMAILS[receipt.kind]
    return EmailText(
        kind=f"receipt_{receipt.kind.value}",
        subject=texts.text(template.subject),
        body=texts.text(template.body),
        locale=texts.format_locale,
    )


def receipt_context(receipt: Receipt, **context: Any) -> RenderContext:
    """A :class:`~payportal.placeholders.RenderContext` for ``[Receipt.*]`` with the other
    objects given as keyword arguments (``customer=``, ``company=``, ``urls=``...).

    Raises:
        ValidationError: ``receipt`` is not a Receipt, the customer is another one, or
            the context refuses an argument.
    """
    from payportal.placeholders import RenderContext  # noqa: PLC0415  # it imports i18n

    if not isinstance(receipt, Receipt):
        raise ValidationError("must be a Receipt", field="receipt", value=receipt)
    customer = context.get("customer")
    if customer is not None and getattr(customer, "id", None) != receipt.customer_id:
        raise ValidationError(
            f"is not the receipt's customer {receipt.customer_id!r}",
            field="customer",
            value=getattr(customer, "id", customer),
        )
    extra = {**dict(context.pop("extra", None) or {}), "Receipt": receipt}
    return RenderContext(extra=extra, **context)


def receipt_lines(receipt: Receipt, texts: Translations) -> list[tuple[str, str]]:
    """The receipt as (heading, value) lines in the customer's language, for a page or a
    PDF: title, number, date, amount, method, reference, one line per settled document,
    then the credit (and, for a top-up, prepaid) balance left.

    Raises:
        ValidationError: ``receipt`` is not a Receipt or ``texts`` not Translations.
    """
    receipt, texts = _check(receipt, texts)
    locale = texts.format_locale

    def text(key: str) -> str:
        return texts.text(RECEIPT_TEXTS[key])

    def money(value: Money) -> str:
        return format_money(value, locale)

    received = "amount_refunded" if receipt.kind is ReceiptKind.REFUND else "amount_received"
    lines = [
        (text(receipt.kind.value), ""),
        (text("number"), receipt.number),
        (text("date"), babel.dates.format_date(receipt.issued_on, "long", locale=locale)),
        (text(received), money(receipt.amount)),
        (text("method"), receipt.method),
        (text("reference"), receipt.reference),
    ]
    lines += [(f"{text('settled')}: {s.item}", money(s.amount)) for s in receipt.settled]
    lines.append((text("credit_left"), money(receipt.credit_left)))
    if receipt.kind is ReceiptKind.TOP_UP:
        lines.append((text("prepaid_left"), money(receipt.prepaid_left)))
    return lines
