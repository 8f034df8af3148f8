"""An in-memory :class:`~payportal.uploads.FileStore` for tests."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from payportal.uploads import Upload

__all__ = ["MemoryFileStore"]


class MemoryFileStore:
    """Keeps uploads in a dict: a :class:`~payportal.uploads.FileStore` for tests and demos.

    >>> store = MemoryFileStore()
    >>> store.get("up-1") is None, len(store)
    (True, 0)
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._files: dict[str, tuple[Upload, bytes]] = {}

    def __repr__(self) -> str:
        return f"MemoryFileStore(uploads={len(self._files)})"

    def __len__(self) -> int:
        return len(self._files)

    def put(self, upload: Upload, content: bytes) -> None:
        """See :meth:`FileStore.put <payportal.uploads.FileStore.put>`."""
        with self._lock:
            self._files[upload.id] = (upload, bytes(content))

    def get(self, upload_id: str) -> tuple[Upload, bytes] | None:
        """See :meth:`FileStore.get <payportal.uploads.FileStore.get>`."""
        return self._files.get(upload_id)

    def uploads_of(self, customer_id: str, document_id: str) -> list[Upload]:
        """See :meth:`FileStore.uploads_of <payportal.uploads.FileStore.uploads_of>`."""
        return [
            upload
            for upload, _ in self._files.values()
            if upload.customer_id == customer_id and upload.document_id == document_id
        ]
