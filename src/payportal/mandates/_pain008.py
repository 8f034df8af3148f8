"""The pain.008 file: SEPA direct debits handed to the creditor's bank, and reading it back.

Two versions of ISO 20022's CustomerDirectDebitInitiation are written: ``pain.008.001.02``
(the EPC's format until November 2019, still accepted by many banks) and ``pain.008.001.08``
(the EPC's 2019 format). They differ, for what payportal writes, in the namespace and in the
element holding a bank's BIC (``BIC`` and ``BICFI``).

Collections are grouped into payment-information blocks (``PmtInf``) by due date, scheme and
sequence type, as the implementation guidelines require (one ``ReqdColltnDt``,
``LclInstrm`` and ``SeqTp`` per block); the creditor identifier is given once per block.
The group header and every block carry their number of transactions and control sum.

The XML is built with the standard library's ElementTree; it is only ever parsed with
defusedxml (:func:`read_pain008`).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # only builds XML; parsing is defusedxml's
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Final

import attrs
import defusedxml
import defusedxml.ElementTree

from payportal._money import Money
from payportal._validators import check_aware
from payportal.exceptions import ValidationError
from payportal.mandates._collection import Collection, SequenceType, sequence_types
from payportal.mandates._identifiers import check_identifier
from payportal.mandates._mandate import Amendment, Creditor, Scheme

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "PAIN_008_VERSIONS",
    "DirectDebitFile",
    "DirectDebitRecord",
    "read_pain008",
    "write_pain008",
]

PAIN_008_VERSIONS: Final = ("pain.008.001.02", "pain.008.001.08")
"""The pain.008 versions :func:`write_pain008` writes and :func:`read_pain008` reads."""

_NS: Final = "urn:iso:std:iso:20022:tech:xsd:"
_SEQUENCE_ORDER: Final = {
    SequenceType.FRST: 0,
    SequenceType.OOFF: 1,
    SequenceType.RCUR: 2,
    SequenceType.FNAL: 3,
}
_SMNDA: Final = "SMNDA"  # "same mandate, new debtor agent" (the debtor changed bank)
_MAX_TRANSACTIONS: Final = 999_999_999_999_999  # Max15NumericText


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = text
    return element


def _path(parent: ET.Element, path: str, text: str) -> None:
    """Append the chain of elements ``A/B/C`` under ``parent``, the last holding ``text``."""
    for tag in path.split("/"):
        parent = ET.SubElement(parent, tag)
    parent.text = text


def _scheme_id(parent: ET.Element, tag: str, creditor_id: str) -> None:
    other = ET.SubElement(
        ET.SubElement(ET.SubElement(ET.SubElement(parent, tag), "Id"), "PrvtId"), "Othr"
    )
    _text(other, "Id", creditor_id)
    _path(other, "SchmeNm/Prtry", "SEPA")


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def _transaction(
    parent: ET.Element,
    collection: Collection,
    amendment: Amendment | None,
    bic_tag: str,
) -> None:
    mandate = collection.mandate
    tx = ET.SubElement(parent, "DrctDbtTxInf")
    _path(tx, "PmtId/EndToEndId", collection.end_to_end_id)
    _text(tx, "InstdAmt", _amount(collection.amount.amount)).set("Ccy", "EUR")
    info = ET.SubElement(ET.SubElement(tx, "DrctDbtTx"), "MndtRltdInf")
    _text(info, "MndtId", mandate.reference)
    _text(info, "DtOfSgntr", mandate.signed_on.isoformat())
    if amendment is not None:
        _text(info, "AmdmntInd", "true")
        details = ET.SubElement(info, "AmdmntInfDtls")
        if amendment.original_reference:
            _text(details, "OrgnlMndtId", amendment.original_reference)
        if amendment.original_creditor_id:
            _scheme_id(details, "OrgnlCdtrSchmeId", amendment.original_creditor_id)
        if amendment.original_iban:
            _path(details, "OrgnlDbtrAcct/Id/IBAN", amendment.original_iban)
        if amendment.new_debtor_bank:
            _path(details, "OrgnlDbtrAgt/FinInstnId/Othr/Id", _SMNDA)
    _path(tx, f"DbtrAgt/FinInstnId/{bic_tag}", mandate.bic)
    _path(tx, "Dbtr/Nm", mandate.debtor_name)
    _path(tx, "DbtrAcct/Id/IBAN", mandate.iban)
    if collection.remittance:
        _path(tx, "RmtInf/Ustrd", collection.remittance)


def _check(creditor: Creditor, items: list[Collection], message_id: str, version: str) -> None:
    if version not in PAIN_008_VERSIONS:
        raise ValidationError(
            f"is not a pain.008 version payportal writes ({', '.join(PAIN_008_VERSIONS)})",
            field="version",
            value=version,
        )
    if not isinstance(creditor, Creditor):
        raise ValidationError("must be a Creditor", field="creditor", value=creditor)
    check_identifier(message_id, "message_id", "message id")
    if not items:
        raise ValidationError("must hold at least one collection", field="collections", value=[])
    if len(items) > _MAX_TRANSACTIONS:
        raise ValidationError("holds too many collections", field="collections", value=len(items))
    seen: dict[str, int] = {}
    for index, collection in enumerate(items):
        if not isinstance(collection, Collection):
            raise ValidationError(
                "must be a Collection", field=f"collections[{index}]", value=collection
            )
        if collection.mandate.creditor_id != creditor.creditor_id:
            raise ValidationError(
                f"names creditor identifier {collection.mandate.creditor_id}, not the "
                f"creditor's {creditor.creditor_id}",
                field=f"collections[{index}].mandate.creditor_id",
                value=collection.mandate.creditor_id,
            )
        first = seen.setdefault(collection.end_to_end_id, index)
        if first != index:
            raise ValidationError(
                f"repeats the end-to-end id of collections[{first}]",
                field=f"collections[{index}].end_to_end_id",
                value=collection.end_to_end_id,
            )


def write_pain008(
    creditor: Creditor,
    collections: Iterable[Collection],
    *,
    message_id: str,
    created_at: datetime,
    version: str = "pain.008.001.08",
    batch_booking: bool = True,
) -> bytes:
    """The pain.008 file (UTF-8 XML) that asks the creditor's bank to collect
    ``collections``.

    Sequence types come from each mandate's history (:func:`sequence_types`); a pending
    amendment travels with the mandate's first collection in the file. Nothing is written
    unless every collection is valid.

    Args:
        creditor: the merchant; every mandate must carry its creditor identifier.
        collections: at least one; end-to-end ids must be unique within the file.
        message_id: the file's unique id (``MsgId``), at most 35 SEPA characters; block ids
            are derived from it.
        created_at: the creation time (timezone-aware).
        version: ``"pain.008.001.08"`` (default) or ``"pain.008.001.02"``.
        batch_booking: ask the bank to book each block as one sum (``BtchBookg``).

    Raises:
        ValidationError: an unknown version, an invalid message id, a naive ``created_at``,
            no collections, a mandate of another creditor, or a repeated end-to-end id.
        UnusableMandateError: a one-off mandate twice, a collection after a final one, or
            one reference with two different mandates.
    """
    items = list(collections)
    _check(creditor, items, message_id, version)
    created = check_aware(created_at, "created_at")
    kinds = sequence_types(items)
    bic_tag = "BIC" if version == "pain.008.001.02" else "BICFI"

    groups: dict[tuple[date, Scheme, SequenceType], list[int]] = {}
    for index, (collection, kind) in enumerate(zip(items, kinds, strict=True)):
        groups.setdefault((collection.due_date, collection.mandate.scheme, kind), []).append(index)
    # The amendment travels with the mandate's first collection in the file.
    carrier: dict[str, int] = {}
    for index, collection in enumerate(items):
        reference = collection.mandate.reference
        best = carrier.get(reference)
        if best is None or collection.due_date < items[best].due_date:
            carrier[reference] = index

    total = sum((c.amount.amount for c in items), Decimal(0))
    root = ET.Element("Document", {"xmlns": _NS + version})
    message = ET.SubElement(root, "CstmrDrctDbtInitn")
    header = ET.SubElement(message, "GrpHdr")
    _text(header, "MsgId", message_id)
    _text(header, "CreDtTm", created.isoformat(timespec="seconds"))
    _text(header, "NbOfTxs", str(len(items)))
    _text(header, "CtrlSum", _amount(total))
    _path(header, "InitgPty/Nm", creditor.name)

    ordered = sorted(groups, key=lambda k: (k[0], k[1].value, _SEQUENCE_ORDER[k[2]]))
    for number, key in enumerate(ordered, start=1):
        due, scheme, kind = key
        indexes = groups[key]
        suffix = f"-{number}"
        block = ET.SubElement(message, "PmtInf")
        _text(block, "PmtInfId", message_id[: 35 - len(suffix)] + suffix)
        _text(block, "PmtMtd", "DD")
        _text(block, "BtchBookg", "true" if batch_booking else "false")
        _text(block, "NbOfTxs", str(len(indexes)))
        _text(block, "CtrlSum", _amount(sum((items[i].amount.amount for i in indexes), Decimal(0))))
        kind_info = ET.SubElement(block, "PmtTpInf")
        _path(kind_info, "SvcLvl/Cd", "SEPA")
        _path(kind_info, "LclInstrm/Cd", scheme.value)
        _text(kind_info, "SeqTp", kind.value)
        _text(block, "ReqdColltnDt", due.isoformat())
        _path(block, "Cdtr/Nm", creditor.name)
        _path(block, "CdtrAcct/Id/IBAN", creditor.iban)
        _path(block, f"CdtrAgt/FinInstnId/{bic_tag}", creditor.bic)
        _text(block, "ChrgBr", "SLEV")
        _scheme_id(block, "CdtrSchmeId", creditor.creditor_id)
        for index in indexes:
            collection = items[index]
            reference = collection.mandate.reference
            amendment = collection.mandate.amendment if carrier[reference] == index else None
            _transaction(block, collection, amendment, bic_tag)
    return bytes(ET.tostring(root, encoding="UTF-8", xml_declaration=True))


@attrs.frozen
class DirectDebitRecord:
    """One direct debit as a pain.008 file holds it (see :func:`read_pain008`)."""

    end_to_end_id: str
    amount: Money
    due_date: date
    scheme: Scheme
    sequence_type: SequenceType
    mandate_reference: str
    signed_on: date
    debtor_name: str
    iban: str
    bic: str
    remittance: str
    amendment: Amendment | None


@attrs.frozen
class DirectDebitFile:
    """A pain.008 file read back: its header, creditor and direct debits."""

    version: str
    message_id: str
    created_at: datetime
    count: int
    control_sum: Decimal
    creditor: Creditor
    records: tuple[DirectDebitRecord, ...]


class _Reader:
    def __init__(self, namespace: str) -> None:
        self.ns = namespace

    def find(self, element: ET.Element, path: str) -> ET.Element | None:
        return element.find("/".join(f"{{{self.ns}}}{tag}" for tag in path.split("/")))

    def text(self, element: ET.Element, path: str) -> str:
        found = self.find(element, path)
        if found is None or found.text is None:
            raise ValidationError("is missing from the pain.008 file", field=path, value=None)
        return found.text

    def optional(self, element: ET.Element, path: str) -> str:
        found = self.find(element, path)
        return "" if found is None or found.text is None else found.text

    def attribute(self, element: ET.Element, path: str, name: str) -> str:
        found = self.find(element, path)
        return "" if found is None else found.get(name, "")

    def all(self, element: ET.Element, tag: str) -> list[ET.Element]:
        return element.findall(f"{{{self.ns}}}{tag}")


def read_pain008(data: bytes) -> DirectDebitFile:
    """Read a pain.008.001.02 or .08 file, as :func:`write_pain008` writes them.

    The XML is parsed with defusedxml (no DTDs, no entities). Only what payportal writes is
    read; other elements are ignored.

    Raises:
        ValidationError: the data is not XML, not a pain.008 of a known version, or misses
            an element payportal writes (``field`` names it).
    """
    try:
        root = defusedxml.ElementTree.fromstring(data, forbid_dtd=True)
    except (ET.ParseError, defusedxml.DefusedXmlException) as exc:
        raise ValidationError(
            f"is not readable XML: {exc}", field="data", value=data[:60]
        ) from None
    namespace = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    version = namespace.removeprefix(_NS)
    if version not in PAIN_008_VERSIONS or not root.tag.endswith("}Document"):
        raise ValidationError(
            f"is not a pain.008 document ({', '.join(PAIN_008_VERSIONS)})",
            field="data",
            value=root.tag,
        )
    try:
        return _read(_Reader(namespace), root, version)
    except ValidationError:
        raise
    except (ValueError, InvalidOperation) as exc:  # a malformed date, amount or code
        raise ValidationError(
            f"has a malformed value: {exc}", field="data", value=data[:60]
        ) from None


def _read(r: _Reader, root: ET.Element, version: str) -> DirectDebitFile:
    bic_tag = "BIC" if version == "pain.008.001.02" else "BICFI"
    message = r.find(root, "CstmrDrctDbtInitn")
    if message is None:
        raise ValidationError("is missing", field="CstmrDrctDbtInitn", value=None)
    created = datetime.fromisoformat(r.text(message, "GrpHdr/CreDtTm"))
    control = Decimal(r.text(message, "GrpHdr/CtrlSum"))
    blocks = r.all(message, "PmtInf")
    if not blocks:
        raise ValidationError("is missing", field="PmtInf", value=None)
    first = blocks[0]
    creditor = Creditor(
        name=r.text(first, "Cdtr/Nm"),
        iban=r.text(first, "CdtrAcct/Id/IBAN"),
        bic=r.text(first, f"CdtrAgt/FinInstnId/{bic_tag}"),
        creditor_id=r.text(first, "CdtrSchmeId/Id/PrvtId/Othr/Id"),
    )
    records: list[DirectDebitRecord] = []
    for block in blocks:
        due = date.fromisoformat(r.text(block, "ReqdColltnDt"))
        scheme = Scheme(r.text(block, "PmtTpInf/LclInstrm/Cd"))
        kind = SequenceType(r.text(block, "PmtTpInf/SeqTp"))
        for tx in r.all(block, "DrctDbtTxInf"):
            info = r.find(tx, "DrctDbtTx/MndtRltdInf")
            if info is None:
                raise ValidationError("is missing", field="DrctDbtTx/MndtRltdInf", value=None)
            amendment = None
            if r.optional(info, "AmdmntInd") == "true":
                details = r.find(info, "AmdmntInfDtls")
                if details is not None:
                    amendment = Amendment(
                        original_reference=r.optional(details, "OrgnlMndtId") or None,
                        original_creditor_id=r.optional(
                            details, "OrgnlCdtrSchmeId/Id/PrvtId/Othr/Id"
                        )
                        or None,
                        original_iban=r.optional(details, "OrgnlDbtrAcct/Id/IBAN") or None,
                        new_debtor_bank=r.optional(details, "OrgnlDbtrAgt/FinInstnId/Othr/Id")
                        == _SMNDA,
                    )
                else:
                    amendment = Amendment()
            records.append(
                DirectDebitRecord(
                    end_to_end_id=r.text(tx, "PmtId/EndToEndId"),
                    amount=Money(r.text(tx, "InstdAmt"), r.attribute(tx, "InstdAmt", "Ccy")),
                    due_date=due,
                    scheme=scheme,
                    sequence_type=kind,
                    mandate_reference=r.text(info, "MndtId"),
                    signed_on=date.fromisoformat(r.text(info, "DtOfSgntr")),
                    debtor_name=r.text(tx, "Dbtr/Nm"),
                    iban=r.text(tx, "DbtrAcct/Id/IBAN"),
                    bic=r.text(tx, f"DbtrAgt/FinInstnId/{bic_tag}"),
                    remittance=r.optional(tx, "RmtInf/Ustrd"),
                    amendment=amendment,
                )
            )
    return DirectDebitFile(
        version=version,
        message_id=r.text(message, "GrpHdr/MsgId"),
        created_at=created,
        count=int(r.text(message, "GrpHdr/NbOfTxs")),
        control_sum=control,
        creditor=creditor,
        records=tuple(records),
    )
