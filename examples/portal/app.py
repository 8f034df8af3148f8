"""A small customer portal in Flask, hosting payportal.

Run it with ``flask --app examples.portal.app run`` or ``python -m examples.portal``; the
start page (the merchant's "outbox", demo only) lists each customer's signed links.

Link kinds and their routes (``payportal.links.DEFAULT_PATHS``):

* ``/portal/<token>``: the customer's portal (purpose ``portal``): documents, account,
  master data, top-up; every page below it carries the same token.
* ``/portal/document/<token>``: one document (purpose ``document``).
* ``/portal/pay/<token>``: paying one invoice or reminder (purpose ``pay``).

Every request verifies its token (signature, purpose, expiry and the customer's current link
version) and then asks :class:`payportal.AccessPolicy` about the action. Refusals:

======================================  ======  ==========================================
what                                    status  why that status
======================================  ======  ==========================================
tampered, malformed, unknown key,       403     the link is not a credential we issued
wrong purpose, issued in the future
expired                                 410     it was valid and is gone; ask for a new one
revoked (link version increased)        410     replaced by a newer link
customer no longer exists               410     ditto
portal disabled for the customer        403     the merchant's settings say no
document of another customer, unknown   404     never confirm that someone else's exists
action the policy or link forbids       403     with the policy's reason
bad form input                          400     the form again, with the error
missing or wrong CSRF token             400     the form was not ours
======================================  ======  ==========================================

Portal pages are sent with ``Cache-Control: no-store`` and ``Referrer-Policy: no-referrer``
because their URLs carry the customer's credential.
"""

from __future__ import annotations

import hmac
import os
import secrets
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, NoReturn

import attrs
import babel.dates
import babel.numbers
from flask import Flask, abort, flash, g, redirect, render_template, request, session, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter

from examples.portal.forms import editable_form_fields, master_data_change, profile_values
from examples.portal.payments import PaymentMethod, demo_methods
from examples.portal.store import PendingPayment, PortalStore, demo_store, document_label
from payportal import (
    AccessDeniedError,
    AccessPolicy,
    Action,
    Customer,
    ExpiredLinkError,
    HmacKey,
    InvalidLinkError,
    KeyRing,
    LinkClaims,
    LinkSigner,
    Money,
    PortalUrls,
    RevokedLinkError,
    ValidationError,
    format_money,
)
from payportal.accounts import TopUpMethod
from payportal.booking import EventKind, PaymentEvent, PaymentIntent, Purpose, decide
from payportal.documents import (
    Comment,
    CommentAuthor,
    Document,
    Invoice,
    Offer,
    PayableDocument,
    Reminder,
)
from payportal.exceptions import (
    InsufficientFundsError,
    InvalidTransitionError,
    PayportalError,
    ProviderError,
)
from payportal.placeholders import RenderContext, Template
from payportal.providers import PaymentRequest, PaymentStatus
from payportal.references import rf

if TYPE_CHECKING:
    from decimal import Decimal

    from werkzeug.wrappers.response import Response

__all__ = ["create_app"]

Clock = Callable[[], datetime]
Page = str | tuple[str, int]

LINK_TTL: Final = timedelta(days=30)

NOTIFICATION_EMAIL: Final = """\
Dear [Client.name],

your invoice [Invoice.number] of [Invoice.issued_on:long] is ready.
Amount due: [Invoice.amount_due], payable by [Invoice.due_on:long].

View and pay it online: [Invoice.customerportal_url]
All your documents: [Client.customerportal_url]

Kind regards,
[Company.name]
"""

_NOTIFICATION: Final = Template.compile(NOTIFICATION_EMAIL)

_SECRET_ENV: Final = "PAYPORTAL_EXAMPLE_SECRET"

_LINK_PROBLEMS: Final[dict[type[InvalidLinkError], tuple[int, str, str]]] = {
    ExpiredLinkError: (
        410,
        "This link has expired",
        (
            "Portal links work for a limited time. Ask us for a new one and we will send it "
            "right away."
        ),
    ),
    RevokedLinkError: (
        410,
        "This link was replaced",
        (
            "A newer link to your portal was issued, which turned this one off. Please use "
            "the link from our most recent e-mail."
        ),
    ),
}
_INVALID_LINK: Final = (
    403,
    "This link is not valid",
    (
        "The link may have been cut off or changed when it was copied. Please open it "
        "straight from our e-mail, or ask us for a new one."
    ),
)


class _TokenConverter(BaseConverter):
    """Only text that can be a payportal token routes to a portal page."""

    regex = r"[A-Za-z0-9_-]{50,1000}"


@attrs.frozen
class Scope:
    """What the link of the current request opens.

    Attributes:
        kind: ``"customer"``, ``"document"`` or ``"payment"`` (the PortalUrls link kinds).
        token: the token as it came in the URL.
        claims: its verified claims.
        customer: whose link it is.
        document: for document and payment links, the one document they open.
    """

    kind: str
    token: str
    claims: LinkClaims
    customer: Customer
    document: Document | None = None

    @property
    def home_url(self) -> str | None:
        """The customer's portal overview, if the link opens the whole portal."""
        return url_for("overview", token=self.token) if self.kind == "customer" else None

    def document_url(self, document: Document) -> str:
        """Where this link shows ``document``."""
        if self.kind == "customer":
            return url_for("document_page", token=self.token, doc_id=document.id)
        return url_for(f"{self.kind}_link", token=self.token)

    def action_url(self, document: Document, action: str) -> str:
        """Where this link's forms post ``action`` on ``document``."""
        if self.kind == "customer":
            return url_for("document_action", token=self.token, doc_id=document.id, action=action)
        return url_for(f"{self.kind}_link_action", token=self.token, action=action)


def _master_secret() -> bytes:
    configured = os.environ.get(_SECRET_ENV)
    if configured:
        return bytes.fromhex(configured)
    # DEMO ONLY: a random master secret made at startup, so links die with the process. A
    # real app loads its secret from its secret store and keeps it across restarts.
    return secrets.token_bytes(32)


def _system_clock() -> datetime:
    return datetime.now(UTC)


def create_app(
    store: PortalStore | None = None,
    *,
    signer: LinkSigner | None = None,
    now: Clock | None = None,
) -> Flask:
    """The portal app.

    Args:
        store: the merchant's data; defaults to :func:`~examples.portal.store.demo_store`.
        signer: signs and verifies the links; defaults to an HMAC key derived from the
            demo master secret (``PAYPORTAL_EXAMPLE_SECRET`` as hex, else random at startup).
        now: the clock (timezone-aware); defaults to the system clock in UTC.

    Returns:
        The Flask app. ``app.extensions["payportal"]`` holds the store, the signer and the
        payment methods, for tests and for the demo outbox.
    """
    clock = now or _system_clock
    data = store if store is not None else demo_store(clock())
    master = _master_secret()
    if signer is None:
        signer = LinkSigner(
            KeyRing([HmacKey.derive(master, "portal-links", kid="demo1")]),
            default_ttl=LINK_TTL,
            versions=data,
            clock=clock,
        )
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=HmacKey.derive(master, "flask-session").secret,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    app.url_map.converters["token"] = _TokenConverter
    methods = demo_methods()
    app.extensions["payportal"] = {"store": data, "signer": signer, "methods": methods}
    _Portal(app=app, store=data, signer=signer, methods=methods, clock=clock).register()
    return app


class _Portal:
    """The routes, sharing the store, the signer, the payment methods and the clock."""

    def __init__(
        self,
        *,
        app: Flask,
        store: PortalStore,
        signer: LinkSigner,
        methods: dict[str, PaymentMethod],
        clock: Clock,
    ) -> None:
        self.app = app
        self.store = store
        self.signer = signer
        self.methods = methods
        self.clock = clock

    @property
    def policy(self) -> AccessPolicy:
        """The access policy of the store's current settings (the merchant may change them)."""
        return AccessPolicy(self.store.settings, today=lambda: self.clock().date())

    # -- set-up -------------------------------------------------------------------------

    def register(self) -> None:
        app = self.app
        app.before_request(self._check_csrf)
        app.after_request(self._security_headers)
        app.context_processor(self._template_globals)
        app.template_filter("money")(self._money)
        app.template_filter("day")(self._day)
        app.template_filter("number")(self._number)
        app.register_error_handler(InvalidLinkError, self._link_error)
        app.register_error_handler(AccessDeniedError, self._denied)
        app.register_error_handler(HTTPException, self._http_error)
        routes: list[tuple[str, str, Callable[..., Any], list[str]]] = [
            ("/", "outbox", self.outbox, ["GET"]),
            ("/merchant/<customer_id>/revoke", "revoke", self.revoke, ["POST"]),
            ("/portal/<token:token>", "overview", self.overview, ["GET"]),
            ("/portal/<token:token>/documents/<doc_id>", "document_page", self.document, ["GET"]),
            (
                "/portal/<token:token>/documents/<doc_id>/<action>",
                "document_action",
                self.document_action,
                ["POST"],
            ),
            ("/portal/<token:token>/profile", "profile", self.profile, ["GET", "POST"]),
            ("/portal/<token:token>/top-up", "top_up", self.top_up, ["GET", "POST"]),
            ("/portal/document/<token:token>", "document_link", self.document_link, ["GET"]),
            (
                "/portal/document/<token:token>/<action>",
                "document_link_action",
                self.document_link_action,
                ["POST"],
            ),
            ("/portal/pay/<token:token>", "payment_link", self.payment_link, ["GET"]),
            (
                "/portal/pay/<token:token>/<action>",
                "payment_link_action",
                self.payment_link_action,
                ["POST"],
            ),
            ("/checkout/return", "provider_return", self.provider_return, ["GET"]),
            ("/checkout/<payment_id>", "checkout", self.checkout, ["GET", "POST"]),
            ("/checkout/<payment_id>/return", "payment_return", self.payment_return, ["GET"]),
        ]
        for rule, endpoint, view, verbs in routes:
            app.add_url_rule(rule, endpoint, view, methods=verbs)

    def _check_csrf(self) -> None:
        if "csrf" not in session:
            session["csrf"] = secrets.token_urlsafe(32)
        if request.method == "POST":
            sent = request.form.get("csrf_token", "")
            if not hmac.compare_digest(sent.encode(), session["csrf"].encode()):
                abort(
                    400,
                    "The form has expired or did not come from this portal. Reload the "
                    "page and try again.",
                )

    @staticmethod
    def _security_headers(response: Response) -> Response:
        if request.path.startswith(("/portal/", "/checkout/")):
            response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Content-Security-Policy"] = "default-src 'self'; form-action 'self'"
        return response

    def _template_globals(self) -> dict[str, Any]:
        return {
            "csrf_token": session.get("csrf", ""),
            "company": self.store.company,
            "label": document_label,
            "Action": Action,
        }

    def _locale(self) -> str:
        scope: Scope | None = g.get("portal_scope")
        return scope.customer.locale if scope is not None else "en"

    def _money(self, money: Money) -> str:
        return format_money(money, self._locale())

    def _number(self, number: Decimal) -> str:
        return str(babel.numbers.format_decimal(number, locale=self._locale()))

    def _day(self, day: date) -> str:
        return str(babel.dates.format_date(day, "medium", locale=self._locale()))

    # -- errors ---------------------------------------------------------------------------

    @staticmethod
    def _link_error(error: InvalidLinkError) -> tuple[str, int]:
        status, title, text = _LINK_PROBLEMS.get(type(error), _INVALID_LINK)
        return render_template("problem.html", title=title, text=text), status

    @staticmethod
    def _denied(error: AccessDeniedError) -> tuple[str, int]:
        text = f"This is not possible here: {error}."
        return render_template("problem.html", title="Not allowed", text=text), 403

    @staticmethod
    def _http_error(error: HTTPException) -> tuple[str, int]:
        titles = {400: "Something is wrong with that request", 404: "Not found"}
        status = error.code or 500
        title = titles.get(status, error.name)
        return render_template("problem.html", title=title, text=error.description), status

    # -- links ----------------------------------------------------------------------------

    def _urls(self) -> PortalUrls:
        return PortalUrls(request.url_root, self.signer, ttl=LINK_TTL)

    def _scope(self, kind: str, token: str) -> Scope:
        """Verify the request's link and find what it opens; raise what the handlers render."""
        purpose = {"customer": "portal", "document": "document", "payment": "pay"}[kind]
        claims = self._urls().resolve(
            token, purpose=purpose, now=self.clock(), current_version=self.store
        )
        customer = self.store.customers.get(claims.customer_id)
        if customer is None:
            raise RevokedLinkError("The customer of this link no longer exists.")
        if not self.policy.settings.access_for(customer).enabled:
            raise AccessDeniedError(
                f"the portal is switched off for customer {customer.number}; please contact us"
            )
        document = None
        if kind != "customer":
            document = self.store.documents.get(claims.subject_id)
            if document is None or document.subject != claims.subject:
                raise RevokedLinkError("The document of this link no longer exists.")
        scope = Scope(kind, token, claims, customer, document)
        g.portal_scope = scope  # the template filters format in the customer's locale
        return scope

    def _own_document(self, scope: Scope, doc_id: str) -> Document:
        document = self.store.documents.get(doc_id)
        if document is None or document.customer_id != scope.customer.id:
            abort(404, "There is no such document in your portal.")
        return document

    def _check(self, scope: Scope, document: Document, action: Action) -> None:
        if not scope.claims.allows(action):
            raise AccessDeniedError(f"this link does not allow to {action.verb}")
        self.policy.check(scope.customer, document, action)

    # -- merchant side (demo only) ----------------------------------------------------------

    def outbox(self) -> str:
        urls = self._urls()
        mails = []
        for customer in self.store.customers.values():
            documents = self.store.documents_of(customer.id)
            invoice = next((d for d in documents if isinstance(d, Invoice)), None)
            links = {"portal": urls.customer_url(customer)}
            body = None
            if invoice is not None:
                version = customer.link_version
                links["document"] = urls.document_url(invoice, version=version)
                links["payment"] = urls.payment_url(invoice, version=version)
                context = RenderContext(
                    customer=customer, documents=invoice, company=self.store.company, urls=urls
                )
                body = _NOTIFICATION.render(context)
            mails.append({"customer": customer, "body": body, "links": links})
        return render_template("outbox.html", mails=mails)

    def revoke(self, customer_id: str) -> Response:
        if customer_id not in self.store.customers:
            abort(404, "There is no such customer.")
        customer = self.store.revoke_links(customer_id)
        flash(f"Links of {customer.display_name} regenerated: older links no longer work.")
        return redirect(url_for("outbox"), 303)

    # -- customer portal --------------------------------------------------------------------

    def overview(self, token: str) -> str:
        scope = self._scope("customer", token)
        customer = scope.customer
        documents = self.policy.visible(customer, self.store.documents_of(customer.id))
        account = self.store.accounts[customer.id]
        return render_template(
            "overview.html",
            scope=scope,
            documents=documents,
            account=account,
            account_actions=self.policy.account_actions(customer),
            today=self.clock().date(),
        )

    def document(self, token: str, doc_id: str) -> Page:
        scope = self._scope("customer", token)
        return self._document_page(scope, self._own_document(scope, doc_id))

    def document_link(self, token: str) -> Page:
        scope = self._scope("document", token)
        assert scope.document is not None
        return self._document_page(scope, scope.document)

    def payment_link(self, token: str) -> Page:
        scope = self._scope("payment", token)
        assert scope.document is not None
        self._check(scope, scope.document, Action.PAY)
        return self._document_page(scope, scope.document)

    def _document_page(
        self, scope: Scope, document: Document, *, error: str | None = None, status: int = 200
    ) -> Page:
        self._check(scope, document, Action.VIEW)
        allowed = {
            a
            for a in self.policy.allowed_actions(scope.customer, document)
            if scope.claims.allows(a)
        }
        page = render_template(
            "document.html",
            scope=scope,
            document=document,
            allowed=allowed,
            methods=self.methods.values(),
            error=error,
            today=self.clock().date(),
        )
        return (page, status) if status != 200 else page

    def document_action(self, token: str, doc_id: str, action: str) -> Any:
        scope = self._scope("customer", token)
        return self._act(scope, self._own_document(scope, doc_id), action)

    def document_link_action(self, token: str, action: str) -> Any:
        scope = self._scope("document", token)
        assert scope.document is not None
        return self._act(scope, scope.document, action)

    def payment_link_action(self, token: str, action: str) -> Any:
        scope = self._scope("payment", token)
        assert scope.document is not None
        if action != "pay":
            abort(404, "A payment link can only pay.")
        return self._act(scope, scope.document, action)

    def _act(self, scope: Scope, document: Document, action: str) -> Any:
        handlers: dict[str, tuple[Action, Callable[[Scope, Document], Any]]] = {
            "comment": (Action.COMMENT, self._comment),
            "accept": (Action.ACCEPT, self._accept),
            "reject": (Action.REJECT, self._reject),
            "pay": (Action.PAY, self._start_payment),
        }
        if action not in handlers:
            abort(404, "There is no such action.")
        kind, handler = handlers[action]
        with self.store.transaction():
            current = self.store.documents[document.id]
            self._check(scope, current, kind)
            try:
                return handler(scope, current)
            except (ValidationError, InvalidTransitionError) as error:
                return self._document_page(scope, current, error=str(error), status=400)

    def _comment(self, scope: Scope, document: Document) -> Response:
        comment = Comment(
            text=request.form.get("text", ""),
            at=self.clock(),
            author=CommentAuthor.CUSTOMER,
            author_name=scope.customer.display_name,
        )
        self.store.save(document.with_comment(comment))
        flash("Thank you, your comment was sent.")
        return redirect(scope.document_url(document), 303)

    def _accept(self, scope: Scope, document: Document) -> Response:
        assert isinstance(document, Offer)
        self.store.save(document.accept(at=self.clock()))
        flash(f"You accepted offer {document.number}. We will confirm your order shortly.")
        return redirect(scope.document_url(document), 303)

    def _reject(self, scope: Scope, document: Document) -> Response:
        assert isinstance(document, Offer)
        reason = request.form.get("reason", "")
        self.store.save(document.reject(reason, at=self.clock()))
        flash(f"You declined offer {document.number}.")
        return redirect(scope.document_url(document), 303)

    def _start_payment(self, scope: Scope, document: Document) -> Response:
        assert isinstance(document, PayableDocument)
        method = self._method()
        amount = _amount(request.form.get("amount", ""), document.currency)
        if amount > document.amount_due:
            raise ValidationError(
                f"must not be more than the {format_money(document.amount_due, 'en')} due",
                field="amount",
                value=str(amount.amount),
            )
        return self._send_to_checkout(
            method,
            scope.customer,
            PaymentRequest(
                amount=amount,
                reference=document.number,
                description=f"{document_label(document.type).capitalize()} {document.number}",
                customer_email=scope.customer.email,
            ),
            document_id=document.id,
            back_url=scope.document_url(document),
        )

    def _method(self) -> PaymentMethod:
        method = self.methods.get(request.form.get("method", ""))
        if method is None:
            raise ValidationError(
                "must be one of the offered payment methods",
                field="method",
                value=request.form.get("method"),
            )
        return method

    def _send_to_checkout(
        self,
        method: PaymentMethod,
        customer: Customer,
        payment_request: PaymentRequest,
        *,
        document_id: str | None,
        back_url: str,
    ) -> Response:
        # Providers send the payer back to return_url with their payment id appended
        # (PayPal: ?token=<order id>); the stand-in checkout page links there directly.
        payment_request = attrs.evolve(
            payment_request,
            return_url=url_for("provider_return", _external=True),
            cancel_url=request.url_root.rstrip("/") + back_url,
        )
        try:
            payment = method.provider.create_payment(payment_request)
        except ProviderError as error:
            raise ValidationError(
                f"could not be started: {error}", field="payment", value=method.key
            ) from None
        self.store.payments[payment.id] = PendingPayment(
            payment_id=payment.id,
            method=method.key,
            customer_id=customer.id,
            document_id=document_id,
            amount=payment_request.amount,
            back_url=back_url,
        )
        # Only this browser may complete it: the return page redirects to the portal link.
        session["payments"] = [*session.get("payments", []), payment.id][-20:]
        return redirect(url_for("checkout", payment_id=payment.id), 303)

    def profile(self, token: str) -> Any:
        scope = self._scope("customer", token)
        customer = scope.customer
        if not scope.claims.allows(Action.EDIT_MASTER_DATA):
            raise AccessDeniedError("this link does not allow to edit master data")
        self.policy.check_account(customer, Action.EDIT_MASTER_DATA)
        error = None
        if request.method == "POST":
            try:
                with self.store.transaction():
                    change = master_data_change(request.form, customer)
                    updated, record = customer.apply_change(
                        change, editable=self.store.editable, at=self.clock()
                    )
                    self.store.customers[customer.id] = updated
                    if record:
                        self.store.changes.append(record)
            except ValidationError as invalid:
                error = invalid
            else:
                names = ", ".join(c.field.replace("_", " ") for c in record.changes)
                flash(f"Saved: {names}." if record else "Nothing changed.")
                return redirect(url_for("profile", token=token), 303)
        page = render_template(
            "profile.html",
            scope=scope,
            values=request.form if error else profile_values(customer),
            shown=editable_form_fields(self.store.editable),
            error=error,
        )
        return (page, 400) if error else page

    def top_up(self, token: str) -> Any:
        scope = self._scope("customer", token)
        customer = scope.customer
        if not scope.claims.allows(Action.TOP_UP):
            raise AccessDeniedError("this link does not allow to top up")
        self.policy.check_account(customer, Action.TOP_UP)
        error = None
        if request.method == "POST":
            try:
                return self._start_top_up(scope)
            except (ValidationError, InsufficientFundsError) as invalid:
                error = str(invalid)
        page = render_template(
            "top_up.html",
            scope=scope,
            prepaid=self.store.accounts[customer.id].prepaid,
            methods=self.methods.values(),
            error=error,
        )
        return (page, 400) if error else page

    def _start_top_up(self, scope: Scope) -> Response:
        customer = scope.customer
        amount = _amount(request.form.get("amount", ""), customer.currency)
        if request.form.get("method") == "bank_transfer":
            with self.store.transaction():
                prepaid = self.store.accounts[customer.id].prepaid
                serial = len(prepaid.credited) + len(prepaid.pending) + 1
                reference = rf.generate(f"{''.join(filter(str.isalnum, customer.number))}T{serial}")
                self.store.set_prepaid(
                    customer.id,
                    prepaid.top_up(amount, method=TopUpMethod.BANK_TRANSFER, reference=reference),
                )
            flash(
                f"Please transfer {self._money(amount)} with reference {rf.format(reference)}. "
                "We credit it as soon as it arrives."
            )
            return redirect(url_for("top_up", token=scope.token), 303)
        return self._send_to_checkout(
            self._method(),
            customer,
            PaymentRequest(
                amount=amount,
                reference=f"TOPUP-{customer.number}",
                description="Prepaid top-up",
                customer_email=customer.email,
            ),
            document_id=None,
            back_url=url_for("top_up", token=scope.token),
        )

    # -- the provider's side (stand-in for its hosted page) --------------------------------

    def _pending(self, payment_id: str) -> PendingPayment:
        pending = self.store.payments.get(payment_id)
        if pending is None or payment_id not in session.get("payments", []):
            abort(404, "There is no such payment in this browser session.")
        return pending

    def checkout(self, payment_id: str) -> Any:
        pending = self._pending(payment_id)
        method = self.methods[pending.method]
        if request.method == "POST":
            if request.form.get("decision") == "approve":
                try:
                    method.approve(payment_id)
                except (KeyError, ValueError, PayportalError):
                    abort(409, "This payment cannot be approved any more.")
                return redirect(url_for("payment_return", payment_id=payment_id), 303)
            flash("You cancelled the payment; nothing was charged.")
            return redirect(pending.back_url, 303)
        return render_template("checkout.html", pending=pending, method=method)

    @staticmethod
    def provider_return() -> Response:
        payment_id = request.args.get("token") or request.args.get("payment_id")
        if not payment_id:
            abort(404, "The provider did not say which payment this is.")
        return redirect(url_for("payment_return", payment_id=payment_id), 303)

    def payment_return(self, payment_id: str) -> Response:
        pending = self._pending(payment_id)
        provider = self.methods[pending.method].provider
        with self.store.transaction():
            pending = self.store.payments[payment_id]
            if pending.booked:
                return redirect(pending.back_url, 303)
            try:
                payment = provider.get_payment(payment_id)
                # Only what the provider says counts, never the browser's word.
                if payment.status is PaymentStatus.AUTHORIZED:
                    payment = provider.capture(payment_id)
            except ProviderError as error:
                flash(f"The payment did not go through: {error.args[0]}")
                return redirect(pending.back_url, 303)
            if payment.status is not PaymentStatus.PAID:
                flash("The payment was not completed; nothing was charged.")
                return redirect(pending.back_url, 303)
            self._book(pending, payment.captured)
            self.store.payments[payment_id] = attrs.evolve(pending, booked=True)
        flash(f"Thank you! We received {self._money_for(pending)}.")
        return redirect(pending.back_url, 303)

    def _money_for(self, pending: PendingPayment) -> str:
        return format_money(pending.amount, self.store.customers[pending.customer_id].locale)

    def _book(self, pending: PendingPayment, captured: Money) -> None:
        """Book the captured money through payportal's one booking decision: the same
        allocation, document states, journal and outbox as every other payment."""
        provider = self.methods[pending.method].provider
        keys: tuple[str, ...] = ()
        if pending.document_id is not None:
            document = self.store.documents[pending.document_id]
            assert isinstance(document, PayableDocument)
            keys = (document.number,)
            if isinstance(document, Reminder):
                # The reminded invoices' items carry the principal (see store._open_item).
                keys += tuple(r.number for r in document.reminded)
        intent = PaymentIntent(
            id=pending.payment_id,
            customer_id=pending.customer_id,
            amount=pending.amount,
            purpose=Purpose.DOCUMENTS if keys else Purpose.TOP_UP,
            item_keys=keys,
            reference=keys[0] if keys else pending.payment_id,
            provider=provider.name,
            method=pending.method,
            created_at=self.clock(),
        )
        event = PaymentEvent(
            kind=EventKind.CAPTURED,
            provider=provider.name,
            provider_payment_id=pending.payment_id,
            movement_key=f"{provider.name}:{pending.payment_id}:captured:{captured.amount}",
            occurred_at=self.clock(),
            captured_total=captured,
        )
        customer_id = pending.customer_id
        documents = [d for d in self.store.documents.values() if d.customer_id == customer_id]
        self.store.apply(decide(self.store.accounts[customer_id], documents, intent, event))


def _amount(text: str, currency: str) -> Money:
    """Money from a form field; a comma is accepted as the decimal separator."""
    cleaned = text.strip().replace(" ", "").replace(",", ".")
    try:
        amount = Money(cleaned, currency)
    except (ValidationError, ArithmeticError, TypeError):
        _invalid_amount(text, currency)
    if amount.amount <= 0:
        _invalid_amount(text, currency)
    return amount


def _invalid_amount(text: str, currency: str) -> NoReturn:
    raise ValidationError(
        f"must be a positive amount in {currency}, such as 25.00", field="amount", value=text
    ) from None
