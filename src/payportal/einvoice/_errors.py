"""The error raised for e-invoice files that cannot be read."""

from __future__ import annotations

from payportal.exceptions import PayportalError

__all__ = ["EInvoiceFormatError"]


class EInvoiceFormatError(PayportalError):
    """An e-invoice file (CII, UBL or a Factur-X / ZUGFeRD PDF) cannot be read.

    Attributes:
        source: the file name or other label the caller gave.
        location: where in the file the problem is (an element path, a line and column).
    """

    def __init__(self, message: str, *, source: str = "", location: str = "") -> None:
        self.source = source
        self.location = location
        where = ", ".join(p for p in (source, location) if p)
        super().__init__(f"{where}: {message}" if where else message)
