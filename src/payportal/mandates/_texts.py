"""The pre-formulated mandate authorisation texts, per scheme and language.

The wording follows the standard texts the SEPA rulebooks prescribe for the mandate form
(chapter 4.1 and annex on the mandate's appearance); the German one is the wording German
banks print (Deutsche Kreditwirtschaft). Each text has three fields, filled with
:func:`mandate_text`: ``{creditor_name}``, ``{creditor_id}`` and ``{mandate_reference}``.

The pre-notification, which tells the debtor amount and due date before each collection
(at least 14 calendar days ahead unless agreed otherwise, see :func:`earliest_due_date`), has
a text per language too, :data:`PRE_NOTIFICATION_TEXTS`.

These are plain data so that they can move into gettext catalogs unchanged.
"""

from __future__ import annotations

from typing import Final

from payportal.exceptions import ValidationError
from payportal.mandates._mandate import Scheme

__all__ = ["MANDATE_TEXTS", "PRE_NOTIFICATION_TEXTS", "mandate_text", "pre_notification_text"]

_HEAD: Final = {
    "de": "Gläubiger-Identifikationsnummer: {creditor_id}\n"
    "Mandatsreferenz: {mandate_reference}\n\n",
    "en": "Creditor identifier: {creditor_id}\nMandate reference: {mandate_reference}\n\n",
    "fr": "Identifiant créancier SEPA : {creditor_id}\nRéférence unique du mandat : "
    "{mandate_reference}\n\n",
}

_CORE: Final = {
    "de": "SEPA-Lastschriftmandat\n\n"
    "Ich ermächtige {creditor_name}, Zahlungen von meinem Konto mittels Lastschrift "
    "einzuziehen. Zugleich weise ich mein Kreditinstitut an, die von {creditor_name} auf mein "
    "Konto gezogenen Lastschriften einzulösen.\n\n"
    "Hinweis: Ich kann innerhalb von acht Wochen, beginnend mit dem Belastungsdatum, die "
    "Erstattung des belasteten Betrages verlangen. Es gelten dabei die mit meinem "
    "Kreditinstitut vereinbarten Bedingungen.",
    "en": "SEPA Direct Debit Mandate\n\n"
    "By signing this mandate form, you authorise (A) {creditor_name} to send instructions to "
    "your bank to debit your account and (B) your bank to debit your account in accordance "
    "with the instructions from {creditor_name}.\n\n"
    "As part of your rights, you are entitled to a refund from your bank under the terms and "
    "conditions of your agreement with your bank. A refund must be claimed within eight weeks "
    "starting from the date on which your account was debited.",
    "fr": "Mandat de prélèvement SEPA\n\n"
    "En signant ce formulaire de mandat, vous autorisez (A) {creditor_name} à envoyer des "
    "instructions à votre banque pour débiter votre compte, et (B) votre banque à débiter "
    "votre compte conformément aux instructions de {creditor_name}.\n\n"
    "Vous bénéficiez du droit d'être remboursé par votre banque selon les conditions décrites "
    "dans la convention que vous avez passée avec elle. Une demande de remboursement doit être "
    "présentée dans les huit semaines suivant la date de débit de votre compte.",
}

_B2B: Final = {
    "de": "SEPA-Firmenlastschrift-Mandat\n\n"
    "Ich ermächtige {creditor_name}, Zahlungen von meinem Konto mittels Lastschrift "
    "einzuziehen. Zugleich weise ich mein Kreditinstitut an, die von {creditor_name} auf mein "
    "Konto gezogenen Lastschriften einzulösen.\n\n"
    "Hinweis: Dieses Lastschriftmandat dient nur dem Einzug von Lastschriften, die auf Konten "
    "von Unternehmen gezogen sind. Ich bin nicht berechtigt, nach der erfolgten Einlösung eine "
    "Erstattung des belasteten Betrages zu verlangen. Ich bin berechtigt, mein Kreditinstitut "
    "bis zum Fälligkeitstag anzuweisen, Lastschriften nicht einzulösen.",
    "en": "SEPA Business-to-Business Direct Debit Mandate\n\n"
    "By signing this mandate form, you authorise (A) {creditor_name} to send instructions to "
    "your bank to debit your account and (B) your bank to debit your account in accordance "
    "with the instructions from {creditor_name}.\n\n"
    "This mandate is only intended for business-to-business transactions. You are not "
    "entitled to a refund from your bank after your account has been debited, but you are "
    "entitled to request your bank not to debit your account up until the day on which the "
    "payment is due.",
    "fr": "Mandat de prélèvement SEPA interentreprises\n\n"
    "En signant ce formulaire de mandat, vous autorisez (A) {creditor_name} à envoyer des "
    "instructions à votre banque pour débiter votre compte, et (B) votre banque à débiter "
    "votre compte conformément aux instructions de {creditor_name}.\n\n"
    "Ce mandat est destiné uniquement aux transactions interentreprises. Vous n'avez pas le "
    "droit d'être remboursé par votre banque une fois votre compte débité, mais vous pouvez "
    "demander à votre banque de ne pas débiter votre compte jusqu'au jour de l'échéance.",
}

MANDATE_TEXTS: Final[dict[tuple[Scheme, str], str]] = {
    **{(Scheme.CORE, lang): _HEAD[lang] + text for lang, text in _CORE.items()},
    **{(Scheme.B2B, lang): _HEAD[lang] + text for lang, text in _B2B.items()},
}
"""The mandate text templates by ``(scheme, language)``, languages ``de``, ``en``, ``fr``."""


def mandate_text(
    scheme: Scheme, language: str, *, creditor_name: str, creditor_id: str, mandate_reference: str
) -> str:
    """The mandate text as the customer is shown it (and as :class:`Consent` records it).

    >>> print(mandate_text(Scheme.CORE, "en", creditor_name="Muster GmbH",
    ...       creditor_id="DE98ZZZ09999999999", mandate_reference="M-1").splitlines()[0])
    Creditor identifier: DE98ZZZ09999999999

    Raises:
        ValidationError: there is no text for ``language`` (``de``, ``en`` and ``fr`` exist).
    """
    template = MANDATE_TEXTS.get((scheme, language))
    if template is None:
        raise ValidationError(
            "has no mandate text (there are de, en and fr)", field="language", value=language
        )
    return template.format(
        creditor_name=creditor_name, creditor_id=creditor_id, mandate_reference=mandate_reference
    )


PRE_NOTIFICATION_TEXTS: Final[dict[str, str]] = {
    "de": "{creditor_name} zieht am {due_date} den Betrag von {amount} per SEPA-Lastschrift von "
    "Ihrem Konto {iban} ein (Mandatsreferenz {mandate_reference}, "
    "Gläubiger-Identifikationsnummer {creditor_id}). Bitte sorgen Sie für ausreichende "
    "Deckung.",
    "en": "{creditor_name} will collect {amount} from your account {iban} by SEPA direct debit "
    "on {due_date} (mandate reference {mandate_reference}, creditor identifier {creditor_id}). "
    "Please make sure the account holds enough money on that day.",
    "fr": "{creditor_name} prélèvera {amount} sur votre compte {iban} le {due_date} "
    "(référence unique du mandat {mandate_reference}, identifiant créancier SEPA "
    "{creditor_id}). Merci de veiller à ce que votre compte soit suffisamment approvisionné.",
}
"""The pre-notification templates by language: ``{creditor_name}``, ``{creditor_id}``,
``{mandate_reference}``, ``{amount}``, ``{due_date}`` and ``{iban}`` (pass them formatted for
the customer's locale; a masked IBAN is fine)."""


def pre_notification_text(
    language: str,
    *,
    creditor_name: str,
    creditor_id: str,
    mandate_reference: str,
    amount: str,
    due_date: str,
    iban: str,
) -> str:
    """The pre-notification of one collection, the values already formatted for the reader.

    >>> pre_notification_text("en", creditor_name="Muster GmbH", creditor_id="DE98ZZZ09999999999",
    ...     mandate_reference="M-1", amount="€49.90", due_date="17 March 2025",
    ...     iban="DE89 **** **** **** **30 00")[:60]
    'Muster GmbH will collect €49.90 from your account DE89 **** '

    Raises:
        ValidationError: there is no text for ``language`` (``de``, ``en`` and ``fr`` exist).
    """
    template = PRE_NOTIFICATION_TEXTS.get(language)
    if template is None:
        raise ValidationError(
            "has no pre-notification text (there are de, en and fr)",
            field="language",
            value=language,
        )
    return template.format(
        creditor_name=creditor_name,
        creditor_id=creditor_id,
        mandate_reference=mandate_reference,
        amount=amount,
        due_date=due_date,
        iban=iban,
    )
