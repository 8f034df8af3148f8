"""Portal texts in the customer's language: labels, messages and default e-mails.

Every text payportal produces for customers is a :class:`Text` in gettext catalogs
(``locale/<language>/LC_MESSAGES/payportal.po``, managed with babel), shipped for German,
English and French. :func:`translator_for` picks them by the customer's locale, falling back
from ``de_AT`` to ``de`` to the default (English); the merchant can reword any text per
locale with :class:`TextOverrides`:

>>> from payportal.documents import PaymentState
>>> from payportal.exceptions import ExpiredLinkError
>>> from payportal.portal import Action
>>> de = translator_for("de_AT")
>>> de.chain
('de_AT', 'de', 'en')
>>> de.label(Action.PAY), de.label(PaymentState.PARTIALLY_PAID)
('Bezahlen', 'Teilweise bezahlt')
>>> translator_for("fr_BE").message(ExpiredLinkError("expired")).title
'Ce lien a expiré'
>>> print(translator_for("de").email("invoice").subject)
Rechnung [Invoice.number] von [Company.name]
"""

from payportal.i18n._catalogs import DOMAIN, shipped_locales
from payportal.i18n._messages import LABELLED_ENUMS, CustomerMessage
from payportal.i18n._templates import DEFAULT_TEMPLATES, EMAIL_KINDS, EmailTemplate
from payportal.i18n._text import N_, NC_, Text
from payportal.i18n._translations import (
    DEFAULT_LOCALE,
    EmailText,
    TextOverrides,
    Translations,
    locale_chain,
    normalise_locale,
    translator_for,
)

__all__ = [
    "DEFAULT_LOCALE",
    "DEFAULT_TEMPLATES",
    "DOMAIN",
    "EMAIL_KINDS",
    "LABELLED_ENUMS",
    "NC_",
    "N_",
    "CustomerMessage",
    "EmailTemplate",
    "EmailText",
    "Text",
    "TextOverrides",
    "Translations",
    "locale_chain",
    "normalise_locale",
    "shipped_locales",
    "translator_for",
]
