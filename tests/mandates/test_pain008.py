"""pain.008 files: valid against the official XSDs, sums and counts right, read back the same."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

import defusedxml.ElementTree
import pytest
from hypothesis import given
from hypothesis import strategies as st
from mandate_samples import CREATED, CREDITOR, batches, mandate, xsd_errors

from payportal import Money, ValidationError
from payportal.mandates import (
    PAIN_008_VERSIONS,
    Amendment,
    Collection,
    Creditor,
    MandateType,
    Scheme,
    SequenceType,
    UnusableMandateError,
    read_pain008,
    sequence_types,
    write_pain008,
)

VERSIONS = pytest.mark.parametrize("version", PAIN_008_VERSIONS)


def write(collections: list[Collection], version: str = "pain.008.001.08") -> bytes:
    return write_pain008(
        CREDITOR, collections, message_id="DD-2025-06-01", created_at=CREATED, version=version
    )


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _blocks(data: bytes) -> list[dict[str, object]]:
    """Each PmtInf's declared count and sum, and its transactions' amounts."""
    root = defusedxml.ElementTree.fromstring(data)
    result = []
    for block in root.iter():
        if _local(block.tag) != "PmtInf":
            continue
        fields = {_local(child.tag): child for child in block}
        amounts = [Decimal(e.text or "") for e in block.iter() if _local(e.tag) == "InstdAmt"]
        kind = next(e.text for e in block.iter() if _local(e.tag) == "SeqTp")
        scheme = next(
            e.text for e in block.iter() if _local(e.tag) == "Cd" and e.text in ("CORE", "B2B")
        )
        result.append(
            {
                "count": int(fields["NbOfTxs"].text or ""),
                "sum": Decimal(fields["CtrlSum"].text or ""),
                "amounts": amounts,
                "key": (fields["ReqdColltnDt"].text, scheme, kind),
            }
        )
    return result


# --- properties -------------------------------------------------------------------------


@VERSIONS
@given(batch=batches())
def test_any_valid_batch_writes_an_xsd_valid_file(version: str, batch: list[Collection]) -> None:
    assert xsd_errors(write(batch, version), version) == []


@VERSIONS
@given(batch=batches())
def test_control_sums_and_counts_equal_the_amounts(version: str, batch: list[Collection]) -> None:
    data = write(batch, version)
    read = read_pain008(data)
    assert read.count == len(batch)
    assert read.control_sum == sum(c.amount.amount for c in batch)
    blocks = _blocks(data)
    assert sum(b["count"] for b in blocks) == len(batch)  # type: ignore[misc]
    for block in blocks:
        assert block["count"] == len(block["amounts"])  # type: ignore[arg-type]
        assert block["sum"] == sum(block["amounts"])  # type: ignore[arg-type]
    # one block per (due date, scheme, sequence type), never two
    keys = [b["key"] for b in blocks]
    assert len(keys) == len(set(keys))


@VERSIONS
@given(batch=batches())
def test_reading_the_file_back_gives_the_same_collections(
    version: str, batch: list[Collection]
) -> None:
    read = read_pain008(write(batch, version))
    assert read.version == version
    assert read.creditor == CREDITOR
    assert read.created_at == CREATED
    by_id = {r.end_to_end_id: r for r in read.records}
    assert len(by_id) == len(batch)
    # a pending amendment travels with the mandate's first collection (by due date) only
    carriers = {
        min(
            (c for c in batch if c.mandate.reference == ref), key=lambda c: c.due_date
        ).end_to_end_id
        for ref in {c.mandate.reference for c in batch}
    }
    for collection, kind in zip(batch, sequence_types(batch), strict=True):
        record = by_id[collection.end_to_end_id]
        m = collection.mandate
        assert record.amount == collection.amount
        assert record.due_date == collection.due_date
        assert record.sequence_type is kind
        assert record.scheme is m.scheme
        assert record.mandate_reference == m.reference
        assert record.signed_on == m.signed_on
        assert (record.debtor_name, record.iban, record.bic) == (m.debtor_name, m.iban, m.bic)
        assert record.remittance == collection.remittance
        carried = collection.end_to_end_id in carriers
        assert record.amendment == (m.amendment if carried else None)


# --- examples ---------------------------------------------------------------------------


@VERSIONS
def test_a_first_a_recurring_and_a_one_off_go_into_separate_blocks(version: str) -> None:
    new = mandate("M-NEW")
    used = mandate("M-USED").record_collection(date(2025, 4, 1))
    once = mandate("M-ONCE", type=MandateType.ONE_OFF)
    b2b = mandate("M-B2B", scheme=Scheme.B2B).record_collection(date(2025, 4, 1))
    due = date(2025, 6, 2)
    batch = [
        Collection(new, Money("10.00", "EUR"), "E-1", due),
        Collection(used, Money("20.00", "EUR"), "E-2", due),
        Collection(once, Money("30.00", "EUR"), "E-3", due),
        Collection(b2b, Money("40.00", "EUR"), "E-4", due),
        Collection(used, Money("5.00", "EUR"), "E-5", date(2025, 7, 1)),
    ]
    data = write(batch, version)
    assert xsd_errors(data, version) == []
    keys = [b["key"] for b in _blocks(data)]
    assert keys == [
        ("2025-06-02", "B2B", "RCUR"),
        ("2025-06-02", "CORE", "FRST"),
        ("2025-06-02", "CORE", "OOFF"),
        ("2025-06-02", "CORE", "RCUR"),
        ("2025-07-01", "CORE", "RCUR"),
    ]


@VERSIONS
def test_an_amendment_travels_with_the_first_collection_only(version: str) -> None:
    before = mandate("M-1").record_collection(date(2025, 4, 1))
    same_bank = before.amend(iban="DE02120300000000202051", bic="COBADEFFXXX", reference="M-2")
    batch = [
        Collection(same_bank, Money("9.99", "EUR"), "LATER", date(2025, 7, 1)),
        Collection(same_bank, Money("9.99", "EUR"), "FIRST", date(2025, 6, 2)),
    ]
    data = write(batch, version)
    assert xsd_errors(data, version) == []
    records = {r.end_to_end_id: r for r in read_pain008(data).records}
    assert records["FIRST"].amendment == Amendment(
        original_reference="M-1", original_iban="DE89370400440532013000"
    )
    assert records["LATER"].amendment is None
    assert b"<AmdmntInd>true</AmdmntInd>" in data
    assert data.count(b"<AmdmntInd>") == 1


@VERSIONS
def test_a_new_debtor_bank_is_marked_smnda_and_a_new_creditor_id_named(version: str) -> None:
    moved = (
        mandate("M-1")
        .record_collection(date(2025, 4, 1))
        .amend(iban="AT611904300234573201", bic="BKAUATWW", creditor_id="AT61ZZZ01234567890")
    )
    creditor = Creditor(
        name="Muster GmbH",
        iban=CREDITOR.iban,
        bic=CREDITOR.bic,
        creditor_id="AT61ZZZ01234567890",
    )
    data = write_pain008(
        creditor,
        [Collection(moved, Money("1.00", "EUR"), "E", date(2025, 6, 2))],
        message_id="M",
        created_at=CREATED,
        version=version,
    )
    assert xsd_errors(data, version) == []
    assert b"<Id>SMNDA</Id>" in data
    (record,) = read_pain008(data).records
    assert record.amendment == Amendment(
        original_creditor_id="DE98ZZZ09999999999", new_debtor_bank=True
    )
    assert record.sequence_type is SequenceType.RCUR


def test_the_versions_differ_in_namespace_and_bic_element() -> None:
    batch = [Collection(mandate(), Money("1.00", "EUR"), "E", date(2025, 6, 2))]
    old, new = write(batch, "pain.008.001.02"), write(batch, "pain.008.001.08")
    assert b"urn:iso:std:iso:20022:tech:xsd:pain.008.001.02" in old
    assert b"<BIC>COBADEFFXXX</BIC>" in old
    assert b"<BICFI>COBADEFFXXX</BICFI>" in new
    # the other version's XSD refuses each: the check above is not vacuous
    assert xsd_errors(old.replace(b".001.02", b".001.08"), "pain.008.001.08") != []


def test_the_xsd_check_catches_a_broken_file() -> None:
    data = write([Collection(mandate(), Money("1.00", "EUR"), "E", date(2025, 6, 2))])
    broken = data.replace(b"<SeqTp>FRST</SeqTp>", b"<SeqTp>NEXT</SeqTp>")
    assert xsd_errors(broken, "pain.008.001.08") != []


# --- refused input: nothing written ------------------------------------------------------


def test_an_unknown_version_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        write(
            [Collection(mandate(), Money("1.00", "EUR"), "E", date(2025, 6, 2))], "pain.008.003.02"
        )
    assert caught.value.field == "version"


def test_an_empty_batch_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least one"):
        write([])


def test_a_repeated_end_to_end_id_is_refused() -> None:
    a, b = mandate("M-A"), mandate("M-B")
    batch = [
        Collection(a, Money("1.00", "EUR"), "SAME", date(2025, 6, 2)),
        Collection(b, Money("1.00", "EUR"), "SAME", date(2025, 6, 2)),
    ]
    with pytest.raises(ValidationError) as caught:
        write(batch)
    assert caught.value.field == "collections[1].end_to_end_id"


def test_a_mandate_of_another_creditor_is_refused() -> None:
    other = Creditor(
        name="Other", iban=CREDITOR.iban, bic=CREDITOR.bic, creditor_id="AT61ZZZ01234567890"
    )
    batch = [Collection(mandate(), Money("1.00", "EUR"), "E", date(2025, 6, 2))]
    with pytest.raises(ValidationError) as caught:
        write_pain008(other, batch, message_id="M", created_at=CREATED)
    assert caught.value.field == "collections[0].mandate.creditor_id"


def test_a_one_off_mandate_twice_in_a_batch_is_refused() -> None:
    once = mandate("M-ONCE", type=MandateType.ONE_OFF)
    batch = [
        Collection(once, Money("1.00", "EUR"), "E-1", date(2025, 6, 2)),
        Collection(once, Money("1.00", "EUR"), "E-2", date(2025, 6, 9)),
    ]
    with pytest.raises(UnusableMandateError) as caught:
        write(batch)
    assert caught.value.value == "M-ONCE"


def test_two_versions_of_one_mandate_in_a_batch_are_refused() -> None:
    first = mandate("M-1")
    batch = [
        Collection(first, Money("1.00", "EUR"), "E-1", date(2025, 6, 2)),
        Collection(first.amend(debtor_name="E. M."), Money("1.00", "EUR"), "E-2", date(2025, 7, 2)),
    ]
    with pytest.raises(UnusableMandateError, match="differs"):
        write(batch)


@pytest.mark.parametrize(
    ("message_id", "created_at"),
    [("bad id with spaces", CREATED), ("OK", datetime(2025, 3, 3, 8, 0))],
)
def test_a_bad_message_id_or_naive_time_is_refused(message_id: str, created_at: datetime) -> None:
    batch = [Collection(mandate(), Money("1.00", "EUR"), "E", date(2025, 6, 2))]
    with pytest.raises(ValidationError):
        write_pain008(CREDITOR, batch, message_id=message_id, created_at=created_at)


# --- reading defends itself --------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"not xml",
        b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:pain.001.001.03'/>",
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><d>&a;</d>',
        (
            b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:pain.008.001.08'>"
            b"<CstmrDrctDbtInitn><GrpHdr><MsgId>M</MsgId><CreDtTm>yesterday</CreDtTm>"
            b"</GrpHdr></CstmrDrctDbtInitn></Document>"
        ),
    ],
)
def test_reading_junk_raises_a_validation_error(data: bytes) -> None:
    with pytest.raises(ValidationError):
        read_pain008(data)


_SAMPLE = write(
    [Collection(mandate().amend(reference="M-NEW"), Money("12.34", "EUR"), "E-1", date(2025, 6, 2))]
)
_TEXTS = [m.start() for m in re.finditer(rb">[^<]+<", _SAMPLE)]


@given(
    st.sampled_from(_TEXTS),
    st.binary(max_size=12) | st.sampled_from([b"", b"-1", b"NaN", b"FNAL", b"2025-02-30"]),
)
def test_a_file_with_any_value_changed_reads_or_raises_a_validation_error(
    at: int, junk: bytes
) -> None:
    end = _SAMPLE.index(b"<", at)
    data = _SAMPLE[: at + 1] + junk + _SAMPLE[end:]
    try:
        read = read_pain008(data)
    except ValidationError:
        return
    assert isinstance(read.records, tuple)
