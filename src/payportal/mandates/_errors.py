"""The errors of :mod:`payportal.mandates`, rooted in :mod:`payportal.exceptions`."""

from __future__ import annotations

from payportal.exceptions import InvalidTransitionError, ValidationError

__all__ = ["MandateStateError", "UnusableMandateError"]


class UnusableMandateError(ValidationError):
    """A collection names a mandate that cannot be collected on: revoked, expired, blocked,
    already used for its one-off or final collection, or expired by 36 months without use.

    ``field`` names the collection (``"collections[3].mandate"``), ``value`` the mandate
    reference; nothing is written.
    """

    __module__ = "payportal.mandates"


class MandateStateError(InvalidTransitionError):
    """A mandate cannot move to the requested state from the state it is in, such as
    revoking a mandate that is already revoked or expiring one that is still in use."""

    __module__ = "payportal.mandates"
