"""The format-independent model of an imported bank statement."""

from __future__ import annotations

import enum
from datetime import date

import attrs

from payportal import _validators as v
from payportal._money import Money
from payportal.exceptions import ValidationError

__all__ = ["Direction", "Statement", "StatementEntry"]


class Direction(enum.Enum):
    """Which way the money moved, seen from the statement's account holder."""

    CREDIT = "credit"
    """Money came in (camt ``CRDT``, MT940 ``C``/``RD``)."""

    DEBIT = "debit"
    """Money went out (camt ``DBIT``, MT940 ``D``/``RC``)."""


def _not_negative(instance: object, attribute: attrs.Attribute[Money], value: object) -> None:
    if not isinstance(value, Money):
        raise ValidationError("must be a payportal.Money", field=attribute.name, value=value)
    if value.amount < 0:
        raise ValidationError(
            "must not be negative; the direction says which way the money moved",
            field=attribute.name,
            value=value,
        )


@attrs.frozen
class StatementEntry:
    """One booked movement of money on a bank account, whatever format it came from.

    A batch booking whose transactions the bank itemises becomes one entry per transaction.
    Texts the bank did not send are empty strings, never ``None``.

    Attributes:
        entry_id: stable identity of the entry, the same every time the same statement is
            imported: ``"ref:<account>:<bank reference>"`` where the bank gave a reference,
            else ``"sha256:<hex>"`` over the entry's normalised fields (see
            :func:`~payportal.reconciliation.drop_seen`).
        booking_date: the day the bank booked the entry.
        value_date: the day the money took effect for interest, if the bank said.
        amount: the amount, never negative; :attr:`direction` says which way it moved.
        direction: :attr:`Direction.CREDIT` for money received, :attr:`Direction.DEBIT` for
            money paid out.
        counterparty_name: the payer of a credit or the payee of a debit.
        counterparty_iban: the counterparty's account, compact and upper case; an IBAN for
            SEPA transfers, older MT940 files may carry a national account number.
        counterparty_bic: the counterparty bank's BIC, if sent.
        remittance_text: the unstructured remittance information (camt ``Ustrd`` and
            ``AddtlRmtInf``, MT940 ``SVWZ+`` or the whole ``:86:`` purpose), joined.
        creditor_references: structured creditor references (camt
            ``Strd/CdtrRefInf/Ref``), such as an RF creditor reference, in document order.
        end_to_end_id: the payer's end-to-end id (camt ``EndToEndId``, MT940 ``EREF+``);
            the placeholders ``NOTPROVIDED`` and ``NONREF`` are read as empty.
        mandate_id: the SEPA direct debit mandate (camt ``MndtId``, MT940 ``MREF+``).
        creditor_id: the SEPA creditor identifier of a direct debit (MT940 ``CRED+``).
        customer_reference: the account holder's own reference (camt ``PmtInfId``, MT940
            ``KREF+`` or the ``:61:`` customer reference).
        ultimate_party: a payer or payee on whose behalf the counterparty acted (camt
            ``UltmtDbtr``/``UltmtCdtr``, MT940 ``ABWA+``/``ABWE+``).
        bank_reference: the bank's own reference (camt ``AcctSvcrRef``, MT940 ``:61:``
            reference after ``//``).
        reversal: the entry reverses an earlier one (camt ``RvslInd``, MT940 ``RC``/``RD``).
        return_reason: the ISO 20022 reason code of a returned, refused or rejected direct
            debit or transfer (camt ``RtrInf/Rsn/Cd`` or ``Prtry``, MT940 ``/RTRN/``, or a
            known code in a German return's purpose), upper case; ``None`` if the bank gave
            none. :func:`payportal.mandates.return_reason` explains it.
    """

    entry_id: str = attrs.field(validator=v.non_empty_str)
    booking_date: date = attrs.field(validator=v.a_date)
    amount: Money = attrs.field(validator=_not_negative)
    direction: Direction = attrs.field(validator=v.instance_of(Direction, "a Direction"))
    value_date: date | None = attrs.field(default=None, validator=v.optional_date, kw_only=True)
    counterparty_name: str = attrs.field(default="", validator=v.optional_str, kw_only=True)
    counterparty_iban: str = attrs.field(default="", validator=v.optional_str, kw_only=True)
    counterparty_bic: str = attrs.field(default="", validator=v.optional_str, kw_only=True)
    remittance_text: str = attrs.field(default="", validator=v.optional_str, kw_only=True)
    creditor_references: tuple[str, ...] = attrs.field(
        default=(), converter=v.to_tuple, validator=v.items_of(str, "a string"), kw_only=True
    )
    end_to_end_id: str = attrs.field(default="", validator=v.optional_str, kw_only=True)
    mandate_id: str = attrs.field(default="", validator=v.optional_str, kw_only=True)
    creditor_id: str = attrs.field(default="", validator=v.optional_str, kw_only=True)
    customer_reference: str = attrs.field(default="", validator=v.optional_str, kw_only=True)
    ultimate_party: str = attrs.field(default="", validator=v.optional_str, kw_only=True)
    bank_reference: str = attrs.field(default="", validator=v.optional_str, kw_only=True)
    reversal: bool = attrs.field(
        default=False, validator=v.instance_of(bool, "True or False"), kw_only=True
    )
    return_reason: str | None = attrs.field(
        default=None, validator=v.optional(v.non_empty_str), kw_only=True
    )

    @property
    def signed_amount(self) -> Money:
        """The amount as it changed the balance: positive for credits, negative for debits."""
        return self.amount if self.direction is Direction.CREDIT else -self.amount


@attrs.frozen
class Statement:
    """One statement (camt ``Stmt``/``Ntfctn``, MT940 ``:20:`` block) and its entries.

    Attributes:
        format: where it came from: ``"camt.052"``, ``"camt.053"``, ``"camt.054"``,
            ``"mt940"``, ``"mt942"`` or ``"csv"``.
        statement_id: the bank's id of the statement (camt ``Id``, MT940 ``:20:``).
        account: the account the statement is for: its IBAN where the bank sent one, else
            the bank's account identification (MT940 ``:25:``).
        currency: the account currency, if the statement says.
        opening_balance: the booked opening balance (negative when overdrawn), if sent.
        closing_balance: the booked closing balance, if sent.
        entries: the booked entries, in file order.
        notes: what the reader decided that a caller may want to know and that is not a
            problem: entries left out because they are not booked, a batch kept as one entry
            and why, a statement without balances to check against.
        warnings: problems found in a statement read with ``lenient=True`` (balances that do
            not add up, a missing closing balance, mixed encodings); a statement read
            strictly never has any, because each of them is refused.
    """

    format: str = attrs.field(validator=v.non_empty_str)
    statement_id: str = attrs.field(validator=v.optional_str)
    account: str = attrs.field(validator=v.optional_str)
    entries: tuple[StatementEntry, ...] = attrs.field(
        converter=v.to_tuple, validator=v.items_of(StatementEntry, "a StatementEntry")
    )
    currency: str | None = attrs.field(default=None, kw_only=True)
    opening_balance: Money | None = attrs.field(
        default=None, validator=v.optional(v.instance_of(Money, "a payportal.Money")), kw_only=True
    )
    closing_balance: Money | None = attrs.field(
        default=None, validator=v.optional(v.instance_of(Money, "a payportal.Money")), kw_only=True
    )
    notes: tuple[str, ...] = attrs.field(
        default=(), converter=v.to_tuple, validator=v.items_of(str, "a string"), kw_only=True
    )
    warnings: tuple[str, ...] = attrs.field(
        default=(), converter=v.to_tuple, validator=v.items_of(str, "a string"), kw_only=True
    )
