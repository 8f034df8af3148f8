"""Shared builders, hypothesis strategies and the XSD check for the mandate tests."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import lxml.etree
from hypothesis import strategies as st

from payportal import Money
from payportal.mandates import (
    Collection,
    Consent,
    Creditor,
    Mandate,
    MandateType,
    Scheme,
)

SEPA = Path(__file__).resolve().parents[1] / "data" / "sepa"

CREDITOR = Creditor(
    name="Muster GmbH",
    iban="DE02120300000000202051",
    bic="BYLADEM1001",
    creditor_id="DE98ZZZ09999999999",
)
SIGNED = date(2025, 3, 1)
CONSENT = Consent(
    datetime(2025, 3, 1, 9, 30, tzinfo=UTC),
    "I authorise Muster GmbH ...",
    channel="portal",
    ip_address="203.0.113.7",
)
CREATED = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)

# Valid IBANs and the BICs of their banks (the examples of the IBAN registry and of
# python-stdnum's own documentation).
ACCOUNTS = (
    ("DE89370400440532013000", "COBADEFFXXX"),
    ("DE02120300000000202051", "BYLADEM1001"),
    ("AT611904300234573201", "BKAUATWW"),
    ("FR1420041010050500013M02606", "PSSTFRPPXXX"),
    ("NL91ABNA0417164300", "ABNANL2A"),
    ("BE48320070184927", "BBRUBEBB"),
)


def mandate(
    reference: str = "M-00000001",
    *,
    iban: str = "DE89370400440532013000",
    bic: str | None = "COBADEFFXXX",
    scheme: Scheme = Scheme.CORE,
    type: MandateType = MandateType.RECURRING,  # noqa: A002
    debtor_name: str = "Erika Mustermann",
) -> Mandate:
    return Mandate.grant(
        reference=reference,
        creditor_id=CREDITOR.creditor_id,
        debtor_name=debtor_name,
        iban=iban,
        bic=bic,
        signed_on=SIGNED,
        consent=CONSENT,
        scheme=scheme,
        type=type,
    )


@functools.cache
def schema(version: str) -> lxml.etree.XMLSchema:
    return lxml.etree.XMLSchema(lxml.etree.parse(str(SEPA / f"{version}.xsd")))


def xsd_errors(data: bytes, version: str) -> list[str]:
    """The XSD's complaints about ``data``; empty when it is valid."""
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True)
    document = lxml.etree.fromstring(data, parser)
    checker = schema(version)
    if checker.validate(document):
        return []
    return [f"{e.line}: {e.message}" for e in checker.error_log]


# --- strategies -------------------------------------------------------------------------

_ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-?:().,'+"
identifiers = st.text(_ID_CHARS, min_size=1, max_size=35)
"""SEPA identifiers (no '/' so the '//' and edge rules never apply)."""

# Any letters, digits, spaces and punctuation, and always the characters XML must escape.
_text_chars = st.one_of(
    st.characters(
        codec="utf-8", categories=("L", "N", "Zs", "P", "S"), exclude_characters="\u2028\u2029"
    ),
    st.sampled_from("<>&\"'"),
)
names = st.text(_text_chars, min_size=1, max_size=70).filter(lambda s: s.strip() != "")
remittances = st.one_of(
    st.just(""), st.text(_text_chars, min_size=1, max_size=140).filter(lambda s: s.strip() != "")
)

amounts = st.integers(min_value=1, max_value=99_999_999_999).map(
    lambda cents: Money.from_minor(cents, "EUR")
)


@st.composite
def mandates(draw: st.DrawFn, reference: str | None = None) -> Mandate:
    iban, bic = draw(st.sampled_from(ACCOUNTS))
    built = mandate(
        reference or draw(identifiers),
        iban=iban,
        bic=bic,
        scheme=draw(st.sampled_from(Scheme)),
        type=draw(st.sampled_from(MandateType)),
        debtor_name=draw(names),
    )
    history = draw(st.integers(min_value=0, max_value=3))
    if built.type is MandateType.ONE_OFF:
        history = 0
    for n in range(history):
        built = built.record_collection(SIGNED + timedelta(days=30 * (n + 1)))
    if built.type is MandateType.RECURRING and draw(st.booleans()):
        # an amendment pending for the next collection: a new account, a new reference
        new_iban, new_bic = draw(st.sampled_from(ACCOUNTS))
        new_reference = draw(st.one_of(st.none(), identifiers.map(lambda r: r[:33] + "-A")))
        # the same BIC stands for a new account at the same bank (OrgnlDbtrAcct), another
        # for a move to another bank (SMNDA)
        new_bic = draw(st.sampled_from((new_bic, built.bic)))
        built = built.amend(iban=new_iban, bic=new_bic, reference=new_reference)
    return built


@st.composite
def batches(draw: st.DrawFn, max_size: int = 12) -> list[Collection]:
    """A valid batch: distinct end-to-end ids, each mandate collected at most once unless
    recurring, nothing after a final collection."""
    size = draw(st.integers(min_value=1, max_value=max_size))
    e2e = draw(st.lists(identifiers, min_size=size, max_size=size, unique=True))
    pool = draw(
        st.lists(
            mandates(),
            min_size=1,
            max_size=size,
            unique_by=lambda m: m.reference,
        )
    )
    collections: list[Collection] = []
    used: dict[str, int] = {}
    for index in range(size):
        chosen = draw(st.sampled_from(pool))
        count = used.get(chosen.reference, 0)
        if count and chosen.type is MandateType.ONE_OFF:
            continue
        due = date(2025, 6, 2) + timedelta(days=draw(st.integers(0, 3)) * 7 + count * 60)
        collections.append(
            Collection(
                chosen,
                draw(amounts),
                e2e[index],
                due,
                remittance=draw(remittances),
            )
        )
        used[chosen.reference] = count + 1
    return collections
