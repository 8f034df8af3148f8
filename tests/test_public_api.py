from __future__ import annotations

import payportal

# Pinned on purpose: adding or removing a public name is a decision, made here.
EXPECTED = {
    "DownloadFormat",
    "StorageUnavailableError",
    "StorageError",
    "StatementFormatError",
    "OutcomeUnknownError",
    "CorruptRecordError",
    "ConcurrentUpdateError",
    "SQLiteStorage",
    "PaymentIntent",
    "PaymentEvent",
    "Portal",
    "AccessDeniedError",
    "AccessPolicy",
    "Action",
    "Address",
    "AllocationError",
    "BadSignatureError",
    "BankAccount",
    "Branding",
    "Company",
    "CurrencyMismatchError",
    "Customer",
    "CustomerAccess",
    "CustomerAccount",
    "Ed25519Key",
    "ExpiredLinkError",
    "HmacKey",
    "InsufficientFundsError",
    "InvalidAmountError",
    "InvalidLinkError",
    "InvalidTransitionError",
    "KeyRing",
    "LinkClaims",
    "LinkSigner",
    "LinkVersions",
    "MalformedLinkError",
    "MasterDataChange",
    "MasterDataGroup",
    "Money",
    "NotYetValidLinkError",
    "OpenItem",
    "PayportalError",
    "PortalSettings",
    "PortalUrls",
    "PrepaidAccount",
    "RevokedLinkError",
    "Statement",
    "StatementEntry",
    "UnknownCurrencyError",
    "UnknownKeyError",
    "ValidationError",
    "WrongPurposeError",
    "__version__",
    "currency_exponent",
    "format_money",
    "is_currency",
    "parse_money",
    "read_statement",
    "reconcile",
}


def test_public_names_are_pinned() -> None:
    assert set(payportal.__all__) == EXPECTED
    for name in payportal.__all__:
        assert hasattr(payportal, name), name


def test_version_is_a_string() -> None:
    assert isinstance(payportal.__version__, str)
    assert payportal.__version__.count(".") == 2
