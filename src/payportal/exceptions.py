"""Every error payportal raises, in one tree.

Catch :class:`PayportalError` to handle anything the library raised on purpose; catch a
narrower class to handle one kind of problem. Errors about bad input also derive from
:class:`ValueError` so generic code that already catches ``ValueError`` keeps working::

    PayportalError
    ├── ValidationError (ValueError)            field, value, reason
    │   ├── InvalidAmountError                  float, NaN, too many decimals
    │   ├── UnknownCurrencyError                not an ISO 4217 code
    │   └── InvalidReferenceError               payment reference schemes
    │       ├── InvalidFormatError
    │       ├── InvalidLengthError
    │       └── InvalidChecksumError
    ├── CurrencyMismatchError (ValueError)      EUR + USD
    ├── AccessDeniedError                       the portal policy says no
    ├── InvalidTransitionError                  accepting an expired offer, paying a cancelled one
    ├── InsufficientFundsError                  prepaid balance too low
    ├── AllocationError                         a result that cannot be applied to an account
    ├── InvalidLinkError                        signed portal links
    │   ├── MalformedLinkError
    │   ├── BadSignatureError
    │   ├── UnknownKeyError
    │   ├── ExpiredLinkError
    │   ├── NotYetValidLinkError
    │   ├── RevokedLinkError
    │   └── WrongPurposeError
    ├── PlaceholderError                        templates: token, line, column
    │   ├── TemplateSyntaxError
    │   ├── UnknownPlaceholderError
    │   └── MissingContextError
    ├── ProviderError                           payment providers
    │   ├── AuthenticationError
    │   ├── PaymentDeclinedError
    │   │   └── SavedMethodUnusableError        an expired card, a revoked saved token
    │   ├── InvalidRequestError
    │   ├── RateLimitedError
    │   ├── ProviderUnavailableError
    │   ├── UnsupportedOperationError
    │   ├── WebhookVerificationError
    │   └── OutcomeUnknownError                 a lost answer the provider cannot resolve
    ├── StatementFormatError                    bank statements that cannot be read
    └── StorageError                            payportal.storage
        ├── ConcurrentUpdateError               a write based on a stale version
        ├── StorageUnavailableError             the database cannot be reached or is busy
        └── CorruptRecordError                  a stored record cannot be read back

Every message is a sentence that names the input that was wrong and says why.
"""

from __future__ import annotations

__all__ = [
    "AccessDeniedError",
    "AllocationError",
    "AuthenticationError",
    "BadSignatureError",
    "ConcurrentUpdateError",
    "CorruptRecordError",
    "CurrencyMismatchError",
    "ExpiredLinkError",
    "InsufficientFundsError",
    "InvalidAmountError",
    "InvalidChecksumError",
    "InvalidFormatError",
    "InvalidLengthError",
    "InvalidLinkError",
    "InvalidReferenceError",
    "InvalidRequestError",
    "InvalidTransitionError",
    "MalformedLinkError",
    "MissingContextError",
    "NotYetValidLinkError",
    "OutcomeUnknownError",
    "PaymentDeclinedError",
    "PayportalError",
    "PlaceholderError",
    "ProviderError",
    "ProviderUnavailableError",
    "RateLimitedError",
    "RevokedLinkError",
    "SavedMethodUnusableError",
    "StatementFormatError",
    "StorageError",
    "StorageUnavailableError",
    "TemplateSyntaxError",
    "UnknownCurrencyError",
    "UnknownKeyError",
    "UnknownPlaceholderError",
    "UnsupportedOperationError",
    "ValidationError",
    "WebhookVerificationError",
    "WrongPurposeError",
]


class PayportalError(Exception):
    """Base class of every error payportal raises on purpose."""

    def __reduce__(self) -> tuple[object, ...]:
        # Subclasses take keyword-only details, which the default exception pickling loses:
        # rebuild from the message arguments and restore the attributes as they were.
        return (_rebuild, (type(self), self.args, self.__dict__))


def _rebuild(
    cls: type[PayportalError], args: tuple[object, ...], state: dict[str, object]
) -> PayportalError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class ValidationError(PayportalError, ValueError):
    """An input value is not acceptable.

    Attributes:
        field: dotted path of the offending input, such as ``"bank_accounts[0].iban"``;
            empty when the value is not part of a larger structure.
        value: the offending value as it was given.
        reason: what is wrong with it, as a sentence fragment ("is not a valid IBAN").
    """

    field: str
    value: object
    reason: str

    def __init__(self, reason: str, *, field: str = "", value: object = None) -> None:
        self.reason = reason
        self.field = field
        self.value = value
        super().__init__(self._message())

    def _message(self) -> str:
        subject = f"{self.field} " if self.field else ""
        shown = repr(self.value)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        return f"{subject}{self.reason} (got {shown})"

    def within(self, prefix: str) -> ValidationError:
        """Return a copy of this error whose ``field`` is nested under ``prefix``.

        ``ValidationError("is not a valid IBAN", field="iban").within("bank_accounts[0]")``
        names ``bank_accounts[0].iban``.
        """
        if not self.field:
            field = prefix
        elif self.field.startswith("["):
            field = prefix + self.field
        else:
            field = f"{prefix}.{self.field}"
        return type(self)(self.reason, field=field, value=self.value)


class InvalidAmountError(ValidationError):
    """A money amount is a float, NaN, infinite, or more precise than its currency allows."""


class UnknownCurrencyError(ValidationError):
    """A currency code is not a known ISO 4217 code."""


class InvalidReferenceError(ValidationError):
    """A payment reference is not valid for its scheme."""


class InvalidFormatError(InvalidReferenceError):
    """A payment reference contains characters or a structure its scheme does not allow."""


class InvalidLengthError(InvalidReferenceError):
    """A payment reference is too short or too long for its scheme."""


class InvalidChecksumError(InvalidReferenceError):
    """A payment reference's check digits do not match."""


class CurrencyMismatchError(PayportalError, ValueError):
    """Two amounts in different currencies were combined or compared."""


class AccessDeniedError(PayportalError):
    """The portal's access policy does not allow this customer this action."""


class InvalidTransitionError(PayportalError):
    """A document cannot move to the requested state from the state it is in."""


class InsufficientFundsError(PayportalError):
    """A prepaid account holds less than the amount to be charged."""


class AllocationError(PayportalError):
    """An allocation result does not fit the account it is applied to."""


class InvalidLinkError(PayportalError):
    """A signed portal link cannot be accepted."""


class MalformedLinkError(InvalidLinkError):
    """The token is not a payportal link token at all (wrong size, alphabet or layout)."""


class BadSignatureError(InvalidLinkError):
    """The token's signature does not match its content: it was altered or forged."""


class UnknownKeyError(InvalidLinkError):
    """The token names a key id that the key ring does not hold."""


class ExpiredLinkError(InvalidLinkError):
    """The link's lifetime is over."""


class NotYetValidLinkError(InvalidLinkError):
    """The link claims to be issued later than now plus the verifier's leeway.

    Either a server's clock is wrong, or someone holding a signing key minted it ahead.
    """


class RevokedLinkError(InvalidLinkError):
    """The link's version is older than the customer's current link version."""


class WrongPurposeError(InvalidLinkError):
    """The link was issued for another purpose than the one it is used for."""


class PlaceholderError(PayportalError):
    """A template cannot be compiled or rendered.

    Attributes:
        token: the placeholder as written between its brackets (``"Invoice.number"``), or
            empty when the problem is not about one placeholder.
        line: 1-based line of the problem in the template text, if known.
        column: 1-based column (in characters) of the problem, if known.
        suggestion: a close name the template probably meant, if there is one.
    """

    def __init__(
        self,
        message: str,
        *,
        token: str = "",
        line: int | None = None,
        column: int | None = None,
        suggestion: str | None = None,
    ) -> None:
        self.token = token
        self.line = line
        self.column = column
        self.suggestion = suggestion
        where = f"line {line}, column {column}: " if line is not None else ""
        super().__init__(where + message)


class TemplateSyntaxError(PlaceholderError):
    """The template text itself is malformed, such as an unterminated literal."""


class UnknownPlaceholderError(PlaceholderError):
    """A template names an object or field that the placeholder registry does not know."""


class MissingContextError(PlaceholderError):
    """A template names an object that the render context does not provide."""


class ProviderError(PayportalError):
    """A payment provider refused a request or could not be reached.

    Attributes:
        provider: the provider's name, such as ``"paypal"``.
        code: the provider's own error code, if it sent one.
        message: the provider's (or payportal's) explanation.
        request_id: the provider's id for the failed request, for support tickets.
        status_code: the HTTP status of the provider's answer, if there was one.
    """

    def __init__(
        self,
        message: str,
        *,
        provider: str = "",
        code: str | None = None,
        request_id: str | None = None,
        status_code: int | None = None,
    ) -> None:
        self.message = message
        self.provider = provider
        self.code = code
        self.request_id = request_id
        self.status_code = status_code
        parts = [f"{provider}: {message}" if provider else message]
        if code:
            parts.append(f"code={code}")
        if status_code is not None:
            parts.append(f"status={status_code}")
        if request_id:
            parts.append(f"request_id={request_id}")
        super().__init__(" ".join(parts))


class AuthenticationError(ProviderError):
    """The provider rejected the merchant's credentials."""


class PaymentDeclinedError(ProviderError):
    """The provider or the payer's bank declined the payment."""


class SavedMethodUnusableError(PaymentDeclinedError):
    """A saved payment method cannot be charged any more (an expired card, a revoked or
    deleted token): the customer must save a new one. ``code`` is the provider's reason."""


class InvalidRequestError(ProviderError):
    """The provider rejected the request as malformed or not allowed in the payment's state."""


class RateLimitedError(ProviderError):
    """The provider asks us to slow down (HTTP 429), and retries did not help."""


class ProviderUnavailableError(ProviderError):
    """The provider could not be reached or answered with a server error, after retries."""


class UnsupportedOperationError(ProviderError):
    """The provider does not offer this operation (see its ``capabilities``)."""


class WebhookVerificationError(ProviderError):
    """A webhook or notification could not be proven to come from the provider."""


class OutcomeUnknownError(ProviderError):
    """The answer to a mutating request was lost and the provider's API cannot say whether,
    or which, object the request created: the outcome is unknown, so nothing is guessed.

    Do not simply send the request again. Resolve it later: wait for the provider's webhook
    or notification for an object whose fields match :attr:`lookup`, or poll for it.

    Attributes:
        operation: the operation whose outcome is unknown, such as ``"create_payment"``.
        lookup: the fields, as the provider stores them, that identify what the lost request
            would have created, such as ``{"source": "payportal-key:..."}``.
    """

    def __init__(
        self,
        message: str,
        *,
        provider: str = "",
        operation: str = "",
        lookup: dict[str, str] | None = None,
        code: str | None = "outcome_unknown",
        request_id: str | None = None,
        status_code: int | None = None,
    ) -> None:
        self.operation = operation
        self.lookup = dict(lookup or {})
        super().__init__(
            message,
            provider=provider,
            code=code,
            request_id=request_id,
            status_code=status_code,
        )


class StatementFormatError(PayportalError):
    """A bank statement file cannot be read.

    Attributes:
        source: the file name or other label of the statement.
        location: where in it the problem is (a line number or an element path).
    """

    def __init__(self, message: str, *, source: str = "", location: str = "") -> None:
        self.source = source
        self.location = location
        where = ", ".join(p for p in (source, location) if p)
        super().__init__(f"{where}: {message}" if where else message)


class StorageError(PayportalError):
    """The storage could not do what was asked (see :mod:`payportal.storage`)."""


class ConcurrentUpdateError(StorageError):
    """A write was based on a version of a record that another writer has changed since.

    Nothing was written. Read the record again, redo the change on the fresh copy and retry.

    Attributes:
        record: what was written, such as ``"account 42"``.
        expected: the version the write was based on.
        actual: the version stored now (``0`` when the record does not exist), if known.
    """

    def __init__(
        self, message: str, *, record: str = "", expected: int = 0, actual: int | None = None
    ) -> None:
        self.record = record
        self.expected = expected
        self.actual = actual
        super().__init__(message)


class StorageUnavailableError(StorageError):
    """The database cannot be reached, refused the connection, or stayed busy too long.

    The driver's own exception is chained as ``__cause__``; retrying later may succeed.
    """


class CorruptRecordError(StorageError):
    """A stored record is truncated, altered or otherwise unreadable; nothing was loaded.

    Attributes:
        record: which record, such as ``"account 42"``.
    """

    def __init__(self, message: str, *, record: str = "") -> None:
        self.record = record
        super().__init__(message)
