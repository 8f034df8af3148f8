"""QR code placeholders as images: inline SVG, ``data:`` URIs, or files for PDF renderers.

A field of the ``qr`` kind returns the text of a QR code (an EPC payload from
:func:`payportal.epc_qr.payload`); its format hint says how the template receives the image:

=========== ==============================================================================
hint        output
=========== ==============================================================================
``svg``     an inline ``<svg>`` element (the default with ``escape="html"``)
``data_uri`` ``data:image/svg+xml;base64,…`` (the default with ``escape="text"``), for an
            ``<img src="…">`` or a PDF renderer that reads data URIs
``png``     ``data:image/png;base64,…``, for renderers without SVG support
``file``    a path: the PNG is handed to the context's :class:`ImageFiles` (``files=``),
            which stores it and says where (:class:`ImageFolder` writes it to a folder)
``payload`` the QR code's text itself
=========== ==============================================================================

Drawing needs segno (the ``qr`` extra).
"""

from __future__ import annotations

import base64
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Final

from payportal import epc_qr
from payportal.exceptions import MissingContextError, PlaceholderError

__all__ = ["QR_HINTS", "ImageFolder", "qr_image"]

QR_HINTS: Final = ("svg", "data_uri", "png", "file", "payload")
_SAFE_NAME: Final = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_.")


class ImageFolder:
    """:class:`ImageFiles` that writes each image once into ``directory``.

    File names are derived from the content (``epc-qr-<sha256 prefix>.png``), so rendering
    the same invoice twice writes nothing new and two invoices never share a file. Files are
    written to a temporary name and renamed, so a PDF renderer never reads half a file.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = ImageFolder(folder).save("epc-qr-1.png", b"png", "image/png")
    ...     Path(path).name, Path(path).read_bytes()
    ('epc-qr-1.png', b'png')

    Args:
        directory: an existing folder the PDF renderer can read.

    Raises:
        PlaceholderError: ``directory`` is not an existing folder.
    """

    __slots__ = ("directory",)

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        path = Path(directory)
        if not path.is_dir():
            raise PlaceholderError(f"the image folder {str(path)!r} is not an existing folder")
        self.directory = path

    def __repr__(self) -> str:
        return f"ImageFolder({str(self.directory)!r})"

    def save(self, name: str, content: bytes, media_type: str) -> str:
        """Write ``content`` to ``directory/name`` unless it is there; return the path.

        Raises:
            PlaceholderError: ``name`` is not a plain file name, or writing failed.
        """
        if not name or not set(name) <= _SAFE_NAME or name.startswith("."):
            raise PlaceholderError(f"{name!r} is not a plain file name for an image")
        target = self.directory / name
        if target.is_file():
            return str(target)
        temporary: Path | None = None
        try:
            handle, path = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=name)
            os.close(handle)
            temporary = Path(path)
            temporary.write_bytes(content)
            temporary.replace(target)
        except OSError as error:
            if temporary is not None:
                temporary.unlink(missing_ok=True)
            raise PlaceholderError(
                f"the image {name!r} could not be written to {str(self.directory)!r}: "
                f"{error.strerror}"
            ) from None
        return str(target)


def _draw(payload: str, token: str, kind: str) -> bytes:
    try:
        if kind == "svg":
            return epc_qr.to_svg(payload).encode("utf-8")
        return epc_qr.to_png(payload)
    except ImportError:
        raise PlaceholderError(
            f"[{token}] draws a QR code, which needs segno: install the 'qr' extra "
            "(pip install 'payportal[qr]'), or use the :payload hint",
            token=token,
        ) from None


def qr_image(payload: str, hint: str, token: str, files: object | None) -> str:
    """The QR code of ``payload`` as ``hint`` asks (see the module's table).

    Raises:
        MissingContextError: ``file`` without ``files`` in the render context.
        PlaceholderError: segno is missing, or the image could not be stored.
    """
    if hint == "payload":
        return payload
    if hint == "svg":
        return _draw(payload, token, "svg").decode("utf-8")
    if hint == "data_uri":
        svg = _draw(payload, token, "svg")
        return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
    png = _draw(payload, token, "png")
    if hint == "png":
        return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    save = getattr(files, "save", None)
    if save is None:
        raise MissingContextError(
            "the render context has no files to write the image to; pass "
            "RenderContext(files=ImageFolder(...))",
            token=token,
        )
    name = f"epc-qr-{hashlib.sha256(png).hexdigest()[:24]}.png"
    path = save(name, png, "image/png")
    if not isinstance(path, str):
        raise PlaceholderError(
            f"[{token}]: files.save() returned {type(path).__name__}, not a path", token=token
        )
    return path
