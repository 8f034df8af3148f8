"""Payment methods the placeholder tests render: a SEPA mandate and a saved card."""

from __future__ import annotations

from datetime import UTC, date, datetime

import attrs

from payportal.mandates import Consent, Mandate

MANDATE = Mandate.grant(
    reference="M-2026-0001",
    creditor_id="DE98ZZZ09999999999",
    debtor_name="Erika Mustermann",
    iban="DE89370400440532013000",
    bic="COBADEFFXXX",
    signed_on=date(2026, 3, 1),
    consent=Consent(datetime(2026, 3, 1, 9, 30, tzinfo=UTC), "Ich ermächtige ..."),
)
"""The active payment method of the ``context`` fixture: a SEPA mandate."""


@attrs.frozen
class SavedCard:
    """A saved card as the placeholders see it (brand, last four digits, display), the
    shape of ``payportal.providers.SavedMethod``."""

    brand: str | None = "Visa"
    last4: str | None = "4242"
    display: str = "Visa •••• 4242, 12/27"


CARD_FIELDS = frozenset({"Client.card_brand", "Client.card_last4"})
"""The fields that render nothing with the ``context`` fixture, whose method is a mandate."""
