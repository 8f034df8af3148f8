"""SEPA direct debit: mandates, collections and the pain.008 file for the bank.

The customer grants a :class:`Mandate` in the portal (IBAN, BIC, account holder, CORE or B2B,
one-off or recurring) with their explicit :class:`Consent` to the text shown
(:func:`mandate_text`, in de/en/fr). Open invoices become :class:`Collection` objects, due
no earlier than :func:`earliest_due_date` allows, and :func:`write_pain008` writes them as a
pain.008.001.02 or .08 file, with sequence types (FRST, RCUR, OOFF, FNAL) from each mandate's
history. R-transactions come back with an ISO reason code: :func:`find_return_reason` reads
it and says whether the mandate must be blocked.

Everything here is pure: no clock (dates are arguments), no I/O, no network.

>>> from datetime import date, datetime, timezone
>>> from payportal import Money
>>> from payportal.mandates import (Collection, Consent, Creditor, Mandate, read_pain008,
...     write_pain008)
>>> creditor = Creditor(name="Muster GmbH", iban="DE02120300000000202051",
...                     bic="BYLADEM1001", creditor_id="DE98ZZZ09999999999")
>>> mandate = Mandate.grant(reference="M-00000001", creditor_id=creditor.creditor_id,
...     debtor_name="Erika Mustermann", iban="DE89370400440532013000", bic="COBADEFFXXX",
...     signed_on=date(2025, 3, 1), consent=Consent(
...         datetime(2025, 3, 1, 9, 30, tzinfo=timezone.utc), "I authorise..."))
>>> collection = Collection(mandate, Money("49.90", "EUR"), "INV-2025-0001",
...                         date(2025, 3, 17), remittance="Invoice INV-2025-0001")
>>> xml = write_pain008(creditor, [collection], message_id="DD-2025-03-03",
...     created_at=datetime(2025, 3, 3, 8, 0, tzinfo=timezone.utc))
>>> [(r.sequence_type.value, str(r.amount)) for r in read_pain008(xml).records]
[('FRST', '49.90 EUR')]
"""

from __future__ import annotations

from payportal.mandates._collection import (
    MAX_AMOUNT,
    Collection,
    SequenceType,
    mandates_after,
    sequence_types,
)
from payportal.mandates._errors import MandateStateError, UnusableMandateError
from payportal.mandates._identifiers import (
    check_bic,
    check_creditor_id,
    check_iban,
    check_mandate_reference,
    derive_bic,
)
from payportal.mandates._lead_time import (
    PRE_NOTIFICATION_DAYS,
    earliest_due_date,
    is_target_day,
    next_target_day,
)
from payportal.mandates._mandate import (
    EXPIRY_MONTHS,
    Amendment,
    Consent,
    Creditor,
    Mandate,
    MandateReferences,
    MandateState,
    MandateType,
    Scheme,
)
from payportal.mandates._pain008 import (
    PAIN_008_VERSIONS,
    DirectDebitFile,
    DirectDebitRecord,
    read_pain008,
    write_pain008,
)
from payportal.mandates._returns import (
    RETURN_REASONS,
    ReturnReason,
    find_return_reason,
    return_reason,
)
from payportal.mandates._texts import (
    MANDATE_TEXTS,
    PRE_NOTIFICATION_TEXTS,
    mandate_text,
    pre_notification_text,
)

__all__ = [
    "EXPIRY_MONTHS",
    "MANDATE_TEXTS",
    "MAX_AMOUNT",
    "PAIN_008_VERSIONS",
    "PRE_NOTIFICATION_DAYS",
    "PRE_NOTIFICATION_TEXTS",
    "RETURN_REASONS",
    "Amendment",
    "Collection",
    "Consent",
    "Creditor",
    "DirectDebitFile",
    "DirectDebitRecord",
    "Mandate",
    "MandateReferences",
    "MandateState",
    "MandateStateError",
    "MandateType",
    "ReturnReason",
    "Scheme",
    "SequenceType",
    "UnusableMandateError",
    "check_bic",
    "check_creditor_id",
    "check_iban",
    "check_mandate_reference",
    "derive_bic",
    "earliest_due_date",
    "find_return_reason",
    "is_target_day",
    "mandate_text",
    "mandates_after",
    "next_target_day",
    "pre_notification_text",
    "read_pain008",
    "return_reason",
    "sequence_types",
    "write_pain008",
]
