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
from typing import TYPE_CHECKING, Any, Final

import attrs
import babel.dates
import babel.numbers
from flask import (
    Flask,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from markupsafe import Markup
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter
from werkzeug.wrappers import Response

from examples.portal.arrangements import ArrangementPages
from examples.portal.bulk import BulkPages
from examples.portal.files import ExampleFiles
from examples.portal.forms import editable_form_fields, master_data_change, profile_values
from examples.portal.i18n import LANGUAGES, app_translations, language_for
from examples.portal.methods import MethodPages
from examples.portal.payments import PaymentMethod, demo_methods
from examples.portal.statement import StatementPages
from examples.portal.store import PortalStore, demo_store
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
    Portal,
    PortalUrls,
    RevokedLinkError,
    ValidationError,
    epc_qr,
    format_money,
    parse_money,
)
from payportal.booking import Checkout, IntentStatus, Outcome, PaymentIntent, Purpose
from payportal.customers import MasterDataField
from payportal.documents import Comment, CommentAuthor, Document, Invoice, Offer, PayableDocument
from payportal.downloads import DownloadResponse, serve_download, serve_print
from payportal.exceptions import (
    InvalidAmountError,
    InvalidTransitionError,
    PayportalError,
    ProviderError,
    WebhookVerificationError,
)
from payportal.i18n import Translations, translator_for
from payportal.placeholders import RenderContext
from payportal.providers import PaymentStatus

if TYPE_CHECKING:
    from decimal import Decimal


__all__ = ["create_app"]

Clock = Callable[[], datetime]
Page = str | tuple[str, int]

LINK_TTL: Final = timedelta(days=30)
FILE_LINK_TTL: Final = timedelta(minutes=15)

_SECRET_ENV: Final = "PAYPORTAL_EXAMPLE_SECRET"

#: The status of each refused link (the page's words come from payportal.i18n).
_LINK_STATUS: Final[dict[type[InvalidLinkError], int]] = {
    ExpiredLinkError: 410,
    RevokedLinkError: 410,
}

#: How each language writes numbers and dates when the customer's locale is of another one.
_FORMAT_LOCALES: Final = {"de": "de_DE", "en": "en_IE", "fr": "fr_FR"}


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
    base_url: str = "http://localhost:5000",
) -> Flask:
    """The portal app.

    Args:
        store: the merchant's data; defaults to :func:`~examples.portal.store.demo_store`
            in memory.
        signer: signs and verifies the links; defaults to an HMAC key derived from the
            demo master secret (``PAYPORTAL_EXAMPLE_SECRET`` as hex, else random at startup).
        now: the clock (timezone-aware); defaults to the system clock in UTC.
        base_url: where the app is reachable, for the return and cancel URLs the providers
            send the payer back to.

    Returns:
        The Flask app. ``app.extensions["payportal"]`` holds the store, the signer, the
        payment methods and the :class:`payportal.Portal`, for tests and the demo outbox.
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
    methods = demo_methods(data.company, data.storage)
    base = base_url.rstrip("/")
    portal = Portal(
        storage=data.storage,
        providers=[method.provider for method in methods.values()],
        return_url=f"{base}/checkout/return",
        cancel_url=f"{base}/checkout/cancel",
        settings=data.settings,
        signer=signer,
        clock=clock,
        creditor=data.creditor,
        return_fee=data.return_fee,
    )
    app.extensions["payportal"] = {
        "store": data,
        "signer": signer,
        "methods": methods,
        "portal": portal,
    }
    _Portal(
        app=app, store=data, signer=signer, methods=methods, portal=portal, clock=clock
    ).register()
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
        portal: Portal,
        clock: Clock,
    ) -> None:
        self.app = app
        self.store = store
        self.signer = signer
        self.methods = methods
        self.portal = portal
        self.clock = clock
        self.files = ExampleFiles(store.company)

    @property
    def policy(self) -> AccessPolicy:
        """The access policy of the store's current settings (the merchant may change them)."""
        return AccessPolicy(self.store.settings, today=lambda: self.clock().date())

    # -- set-up -------------------------------------------------------------------------

    def register(self) -> None:
        app = self.app
        app.before_request(self._choose_language)
        app.before_request(self._check_csrf)
        app.jinja_env.add_extension("jinja2.ext.i18n")
        app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
            self._gettext, self._ngettext, newstyle=True
        )
        app.after_request(self._security_headers)
        app.context_processor(self._template_globals)
        app.template_filter("money")(self._money)
        app.template_filter("day")(self._day)
        app.template_filter("number")(self._number)
        app.template_filter("amount_field")(self._amount_field)
        app.register_error_handler(InvalidLinkError, self._link_error)
        app.register_error_handler(AccessDeniedError, self._denied)
        app.register_error_handler(HTTPException, self._http_error)
        routes: list[tuple[str, str, Callable[..., Any], list[str]]] = [
            ("/", "outbox", self.outbox, ["GET"]),
            ("/branding.css", "branding_css", self.branding_css, ["GET"]),
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
            ("/portal/download/<token:token>", "download", self.download, ["GET"]),
            ("/portal/print/<token:token>", "print_view", self.print_view, ["GET"]),
            (
                "/portal/pay/<token:token>/<action>",
                "payment_link_action",
                self.payment_link_action,
                ["POST"],
            ),
            ("/checkout/return", "payment_return", self.payment_return, ["GET"]),
            ("/checkout/cancel", "payment_cancel", self.payment_cancel, ["GET"]),
            ("/checkout/<intent_id>", "checkout", self.checkout, ["GET", "POST"]),
            ("/webhooks/<provider>", "webhook", self.webhook, ["POST"]),
        ]
        for rule, endpoint, view, verbs in routes:
            app.add_url_rule(rule, endpoint, view, methods=verbs)
        ArrangementPages(self).register(app)
        MethodPages(self).register(app)
        BulkPages(self).register(app)
        StatementPages(self).register(app)

    def _check_csrf(self) -> None:
        if "csrf" not in session:
            session["csrf"] = secrets.token_urlsafe(32)
        if request.method == "POST" and request.endpoint != "webhook":
            sent = request.form.get("csrf_token", "")
            if not hmac.compare_digest(sent.encode(), session["csrf"].encode()):
                abort(
                    400,
                    self._gettext(
                        "The form has expired or did not come from this portal. Reload the "
                        "page and try again."
                    ),
                )

    @staticmethod
    def _security_headers(response: Response) -> Response:
        if request.path.startswith(("/portal/", "/checkout/")):
            response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        # A file payportal sent with its own, stricter policy (an upload, an XML file) keeps it.
        response.headers.setdefault(
            "Content-Security-Policy", "default-src 'self'; form-action 'self'"
        )
        return response

    def _template_globals(self) -> dict[str, Any]:
        branding = self.store.settings.branding
        return {
            "branding": branding.as_template_context() if branding is not None else None,
            "lang": self._locale().replace("_", "-"),
            "languages": LANGUAGES,
            "language": self._language(),
            "csrf_token": session.get("csrf", ""),
            "company": self.store.company,
            "label": self._label,
            "Action": Action,
        }

    # -- language -------------------------------------------------------------------------

    def _choose_language(self) -> None:
        """``?lang=de`` on any page switches this browser's portal language."""
        chosen = request.args.get("lang")
        if chosen in LANGUAGES:
            session["lang"] = chosen

    def _customer_locale(self) -> str | None:
        scope: Scope | None = g.get("portal_scope")
        if scope is not None:
            return scope.customer.locale
        payer = g.get("payer_locale")
        if payer is not None:
            return str(payer)
        return request.accept_languages.best_match(list(LANGUAGES))

    def _language(self) -> str:
        """The language of the page: the visitor's choice, else the customer's."""
        return language_for(session.get("lang"), self._customer_locale())

    def _locale(self) -> str:
        """The locale numbers and dates are written in: the customer's own when it is of
        the page's language (de_AT stays de_AT), else that language's usual one."""
        language = self._language()
        locale = self._customer_locale() or ""
        if language_for(None, locale) == language and "_" in locale:
            return locale
        return _FORMAT_LOCALES[language]

    def _texts(self) -> Translations:
        """payportal's texts in the page's language, in the merchant's wording."""
        return translator_for(self._locale(), overrides=self.store.settings.texts)

    def _gettext(self, message: str) -> str:
        return str(app_translations(self._language()).gettext(message))

    def _ngettext(self, singular: str, plural: str, n: int) -> str:
        return str(app_translations(self._language()).ngettext(singular, plural, n))

    def _label(self, member: Any) -> str:
        return self._texts().label(member)

    def _customer_message(self, error: BaseException) -> str:
        """What went wrong, for the customer, in their language."""
        message = self._texts().message(error)
        return f"{message.title}. {message.detail}"

    def _money(self, money: Money) -> str:
        return format_money(money, self._locale())

    def _amount_field(self, money: Money) -> str:
        """An amount as the customer types it (``481,07``): no symbol, no grouping."""
        return format_money(money, self._locale(), format="0.00", group_separator=False)

    def _number(self, number: Decimal) -> str:
        return str(babel.numbers.format_decimal(number, locale=self._locale()))

    def _day(self, day: date) -> str:
        return str(babel.dates.format_date(day, "medium", locale=self._locale()))

    def branding_css(self) -> Response:
        """The merchant's colours as CSS custom properties (a style sheet of its own: the
        Content-Security-Policy allows no inline styles)."""
        branding = self.store.settings.branding
        css = branding.css_variables(":root") if branding is not None else ""
        response = Response(css, mimetype="text/css")
        response.headers["Cache-Control"] = "no-cache"
        return response

    # -- errors ---------------------------------------------------------------------------

    def _link_error(self, error: InvalidLinkError) -> tuple[str, int]:
        status = next((s for kind, s in _LINK_STATUS.items() if isinstance(error, kind)), 403)
        message = self._texts().message(error)
        page = render_template("problem.html", title=message.title, text=message.detail)
        return page, status

    def _denied(self, error: AccessDeniedError) -> tuple[str, int]:
        message = self._texts().message(error)
        page = render_template("problem.html", title=message.title, text=message.detail)
        return page, 403

    def _http_error(self, error: HTTPException) -> tuple[str, int]:
        _ = self._gettext
        titles = {
            400: _("Something is wrong with that request"),
            404: _("Not found"),
            409: _("This is no longer possible"),
        }
        status = error.code or 500
        title = titles.get(status, error.name)
        return render_template("problem.html", title=title, text=error.description), status

    # -- links ----------------------------------------------------------------------------

    def _urls(self) -> PortalUrls:
        return PortalUrls(request.url_root, self.signer, ttl=LINK_TTL)

    def _file_urls(self) -> PortalUrls:
        """Download and print links live minutes, not the portal link's days."""
        return PortalUrls(request.url_root, self.signer, ttl=FILE_LINK_TTL)

    # -- downloads and print ------------------------------------------------------------------

    def download(self, token: str) -> Response:
        """A document's file (PDF or e-invoice): :func:`payportal.downloads.serve_download`
        verifies the link, asks the policy and writes the file and its headers."""
        del token  # payportal reads it from the URL
        return self._serve_file(serve_download)

    def print_view(self, token: str) -> Response:
        """The document's PDF shown in the browser, to print (``Action.PRINT``)."""
        del token
        return self._serve_file(serve_print)

    def _serve_file(self, serve: Callable[..., DownloadResponse]) -> Response:
        return self._file_answer(
            serve(
                request.url,
                urls=self._file_urls(),
                policy=self.policy,
                files=self.files,
                customers=self.store.customers.get,
                documents=self.store.documents.get,
                now=self.clock(),
                current_version=self.store,
            )
        )

    def _file_answer(self, answer: DownloadResponse) -> Response:
        if isinstance(answer.error, InvalidLinkError | AccessDeniedError):
            raise answer.error  # the portal's own friendly pages for these
        if answer.error is not None:
            abort(answer.status, self._gettext("This file cannot be made; please contact us."))
        return Response(answer.body, answer.status, headers=dict(answer.headers))

    def _scope(self, kind: str, token: str) -> Scope:
        """Verify the request's link and find what it opens; raise what the handlers render."""
        purpose = {"customer": "portal", "document": "document", "payment": "pay"}[kind]
        claims = self._urls().resolve(
            token, purpose=purpose, now=self.clock(), current_version=self.store
        )
        customer = self.store.customers.get(claims.customer_id)
        if customer is None:
            raise RevokedLinkError("The customer of this link no longer exists.")
        g.payer_locale = customer.locale  # a refusal from here on is in their language
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
            abort(404, self._gettext("There is no such document in your portal."))
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
                # payportal's default invoice e-mail, in the customer's language and in the
                # merchant's wording (PortalSettings.texts).
                context = RenderContext(
                    customer=customer, documents=invoice, company=self.store.company, urls=urls
                )
                email = self.store.settings.translations(customer).email("invoice")
                _subject, body = email.render(context)
            mails.append({"customer": customer, "body": body, "links": links})
        return render_template("outbox.html", mails=mails)

    def revoke(self, customer_id: str) -> Response:
        if customer_id not in self.store.customers:
            abort(404, self._gettext("There is no such customer."))
        customer = self.store.revoke_links(customer_id)
        flash(
            self._gettext("Links of %(name)s regenerated: older links no longer work.")
            % {"name": customer.display_name}
        )
        return redirect(url_for("outbox"), 303)

    # -- customer portal --------------------------------------------------------------------

    def overview(self, token: str) -> str:
        scope = self._scope("customer", token)
        customer = scope.customer
        documents = self.policy.visible(customer, self.store.documents_of(customer.id))
        account = self.store.accounts[customer.id]
        # What is due, each amount once: a reminded invoice is due within its reminder.
        dues = account.dues()
        return render_template(
            "overview.html",
            scope=scope,
            documents=documents,
            account=account,
            due_by_number={due.key: due for due in dues},
            carried_by={key: due.key for due in dues for key in (*due.reminders, *due.includes)},
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
        files = self._file_urls()
        downloads = [
            (f, files.download_url(document, f, version=scope.customer.link_version))
            for f in self.policy.download_formats(scope.customer, document)
            if scope.claims.allows(Action.DOWNLOAD)
        ]
        print_url = None
        if Action.PRINT in allowed:
            print_url = files.print_url(document, version=scope.customer.link_version)
        page = render_template(
            "document.html",
            scope=scope,
            document=document,
            allowed=allowed,
            downloads=downloads,
            print_url=print_url,
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
            abort(404, self._gettext("A payment link can only pay."))
        return self._act(scope, scope.document, action)

    def _act(self, scope: Scope, document: Document, action: str) -> Any:
        edits: dict[str, tuple[Action, Callable[[Scope, Document], tuple[Document, str]]]] = {
            "comment": (Action.COMMENT, self._comment),
            "accept": (Action.ACCEPT, self._accept),
            "reject": (Action.REJECT, self._reject),
        }
        if action == "pay":
            current = self.store.documents[document.id]
            self._check(scope, current, Action.PAY)
            try:
                return self._start_payment(scope, current)
            except ValidationError as error:
                message = self._customer_message(error)
                return self._document_page(scope, current, error=message, status=400)
        if action not in edits:
            abort(404, self._gettext("There is no such action."))
        kind, edit = edits[action]
        said: list[str] = []

        def change(current: Document) -> Document:
            # Checked on the stored version, inside the transaction that replaces it.
            self._check(scope, current, kind)
            updated, message = edit(scope, current)
            said.append(message)
            return updated

        try:
            self.store.update_document(document.id, change)
        except (ValidationError, InvalidTransitionError) as error:
            current = self.store.documents[document.id]
            message = self._customer_message(error)
            return self._document_page(scope, current, error=message, status=400)
        flash(said[0])
        return redirect(scope.document_url(document), 303)

    def _comment(self, scope: Scope, document: Document) -> tuple[Document, str]:
        comment = Comment(
            text=request.form.get("text", ""),
            at=self.clock(),
            author=CommentAuthor.CUSTOMER,
            author_name=scope.customer.display_name,
        )
        return document.with_comment(comment), self._gettext("Thank you, your comment was sent.")

    def _accept(self, scope: Scope, document: Document) -> tuple[Document, str]:
        assert isinstance(document, Offer)
        accepted = document.accept(at=self.clock())
        thanks = self._gettext(
            "You accepted offer %(number)s. We will confirm your order shortly."
        ) % {"number": document.number}
        return accepted, thanks

    def _reject(self, scope: Scope, document: Document) -> tuple[Document, str]:
        assert isinstance(document, Offer)
        reason = request.form.get("reason", "")
        declined = self._gettext("You declined offer %(number)s.") % {"number": document.number}
        return document.reject(reason, at=self.clock()), declined

    def _start_payment(self, scope: Scope, document: Document) -> Response:
        assert isinstance(document, PayableDocument)
        method = self._method()
        amount = self._amount(document.currency)
        return self._pay(
            method,
            scope.customer,
            back_url=scope.document_url(document),
            documents=[document.id],
            amount=amount,
            description=f"{self._label(document.type)} {document.number}",
        )

    def _amount(self, currency: str) -> Money:
        """The form's amount, typed as the page's locale writes amounts (``481,07``): the
        customer's, or that of the language they chose."""
        amount = parse_money(request.form.get("amount", ""), currency, self._locale())
        if amount.amount <= 0:
            raise InvalidAmountError("must be more than zero", field="amount", value=str(amount))
        return amount

    def _method(self) -> PaymentMethod:
        method = self.methods.get(request.form.get("method", ""))
        if method is None:
            raise ValidationError(
                "must be one of the offered payment methods",
                field="method",
                value=request.form.get("method"),
            )
        return method

    def _pay(
        self,
        method: PaymentMethod,
        customer: Customer,
        *,
        back_url: str,
        description: str,
        documents: list[str] | None = None,
        amount: Money | None = None,
        top_up: Money | None = None,
    ) -> Response:
        """Start the payment through :meth:`payportal.Portal.pay` and send the payer on."""
        try:
            checkout = self.portal.pay(
                customer.id,
                method=method.key,
                documents=documents or (),
                amount=amount,
                top_up=top_up,
                description=description,
                customer_email=customer.email,
                metadata=_payer_details(method.key, customer),
            )
        except ProviderError as error:
            raise ValidationError(
                f"could not be started: {error}", field="payment", value=method.key
            ) from None
        return self._checkout_started(checkout, back_url)

    def _checkout_started(self, checkout: Checkout, back_url: str) -> Response:
        """Send the payer to the checkout of a started payment (one payment or several
        documents at once, :mod:`examples.portal.bulk`)."""
        # Only this browser may come back to it: the pages below check the session.
        started = dict(session.get("intents", {}))
        started[checkout.intent.id] = back_url
        session["intents"] = dict(list(started.items())[-20:])
        return redirect(url_for("checkout", intent_id=checkout.intent.id), 303)

    def profile(self, token: str) -> Any:
        scope = self._scope("customer", token)
        customer = scope.customer
        if not scope.claims.allows(Action.EDIT_MASTER_DATA):
            raise AccessDeniedError("this link does not allow to edit master data")
        self.policy.check_account(customer, Action.EDIT_MASTER_DATA)
        error = error_field = None
        if request.method == "POST":
            try:
                change = master_data_change(request.form, customer)
                record = self.store.change_master_data(
                    customer.id, change, at=self.clock(), policy=self.policy
                )
            except ValidationError as invalid:
                error = self._customer_message(invalid)
                error_field = _form_field(invalid.field)
            else:
                if record is None:
                    flash(self._gettext("Nothing changed."))
                else:
                    names = ", ".join(self._label(MasterDataField(c.field)) for c in record.changes)
                    flash(self._gettext("Saved: %(fields)s.") % {"fields": names})
                return redirect(url_for("profile", token=token), 303)
        page = render_template(
            "profile.html",
            scope=scope,
            values=request.form if error else profile_values(customer),
            shown=editable_form_fields(self.policy.editable_fields(customer)),
            error=error,
            error_field=error_field,
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
                return self._pay(
                    self._method(),
                    customer,
                    back_url=url_for("top_up", token=scope.token),
                    description="Prepaid top-up",
                    top_up=self._amount(customer.currency),
                )
            except ValidationError as invalid:
                error = str(invalid)
        # The top-ups this browser started that still wait for the money (a bank transfer
        # until the statement shows it).
        waiting = [
            intent
            for intent in map(self.portal.intent, session.get("intents", {}))
            if intent.customer_id == customer.id
            and intent.purpose is Purpose.TOP_UP
            and intent.status is IntentStatus.OPEN
        ]
        page = render_template(
            "top_up.html",
            scope=scope,
            prepaid=self.store.accounts[customer.id].prepaid,
            suggested=Money("50", customer.currency),
            waiting=waiting,
            methods=self.methods.values(),
            method_labels={key: method.label for key, method in self.methods.items()},
            error=error,
        )
        return (page, 400) if error else page

    # -- the provider's side (stand-in for its hosted page) --------------------------------

    def _started(self, intent_id: str) -> tuple[PaymentIntent, str]:
        """The intent this browser started, and the portal page to go back to."""
        back_url = session.get("intents", {}).get(intent_id)
        if back_url is None:
            abort(404, self._gettext("There is no such payment in this browser session."))
        intent = self.portal.intent(intent_id)
        g.payer_locale = self.store.customers[intent.customer_id].locale
        return intent, back_url

    def checkout(self, intent_id: str) -> Any:
        intent, back_url = self._started(intent_id)
        method = self.methods[intent.method]
        if not method.redirects:
            payment = self.portal.provider(intent.provider).get_payment(intent.payment_id or "")
            instructions = payment.instructions
            qr = instructions.get("epc_qr")
            return render_template(
                "transfer.html",
                intent=intent,
                instructions=instructions,
                qr_svg=Markup(epc_qr.to_svg(qr)) if qr else None,
                back_url=back_url,
            )
        if request.method == "POST":
            if request.form.get("decision") == "approve":
                try:
                    method.approve(intent.payment_id or "")
                except (KeyError, ValueError, PayportalError):
                    abort(409, self._gettext("This payment cannot be approved any more."))
                return redirect(url_for("payment_return", intent=intent.id), 303)
            return redirect(url_for("payment_cancel", intent=intent.id), 303)
        return render_template("checkout.html", intent=intent, method=method)

    def payment_return(self) -> Response:
        """The payer is back: :meth:`payportal.Portal.complete` reads the payment back,
        captures it if only authorised, and books it once (a reload books nothing more)."""
        intent, back_url = self._started(request.args.get("intent", ""))
        try:
            done = self.portal.complete(intent.id, request.args)
        except ProviderError as error:
            flash(self._customer_message(error))
            return redirect(back_url, 303)
        payment = done.payment
        if payment is None or payment.status is not PaymentStatus.PAID:
            flash(self._gettext("The payment was not completed; nothing was charged."))
            return redirect(back_url, 303)
        records = [
            record
            for outcome in done.outcomes
            if outcome.outcome is Outcome.BOOKED and outcome.decision is not None
            for record in outcome.decision.journal
        ]
        _ = self._gettext
        message = _("Thank you! We received %(amount)s.") % {
            "amount": self._money(payment.captured)
        }
        credit = sum((r.credit for r in records), Money.zero(intent.amount.currency))
        if credit.amount > 0:
            message += " " + _("%(amount)s more than due is kept as credit on your account.") % {
                "amount": self._money(credit)
            }
        if records or done.intent.status is IntentStatus.BOOKED:
            flash(message)
        return redirect(back_url, 303)

    def payment_cancel(self) -> Response:
        _, back_url = self._started(request.args.get("intent", ""))
        flash(self._gettext("You cancelled the payment; nothing was charged."))
        return redirect(back_url, 303)

    def webhook(self, provider: str) -> tuple[str, int]:
        """A provider's notification: verified, read back and booked by the library, once.

        Answer 2xx only when it was handled, so the provider sends it again otherwise.
        """
        try:
            self.portal.handle_webhook(provider, dict(request.headers), request.get_data())
        except ValidationError:
            return "unknown provider", 404
        except WebhookVerificationError:
            return "not authentic", 400
        except ProviderError:
            return "try again", 503
        return "ok", 200


def _payer_details(method: str, customer: Customer) -> dict[str, str] | None:
    """What a provider wants to know about the payer beyond the amount, from the master
    data, under the provider's own names: the buyer of an invoice purchase (BillPay,
    :data:`payportal.providers.billpay.BUYER_FIELDS`) and the shipping address paydirekt
    requires (:data:`payportal.providers.paydirekt.SHIPPING_FIELDS`)."""
    first, _, last = customer.name.rpartition(" ")
    first = first or last
    address = customer.address
    street, _, number = address.street.rpartition(" ") if address else ("", "", "")
    street, number = (street, number) if street else (number, "")
    if method == "billpay":
        buyer = {"firstName": first, "lastName": last, "language": customer.locale[:2]}
        if customer.email:
            buyer["email"] = customer.email
        if address is not None:
            buyer |= {
                "street": street,
                "streetNo": number,
                "zip": address.postal_code,
                "city": address.city,
                "country": address.country,
            }
        if customer.company:
            buyer |= {"customerGroup": "b", "company_name": customer.company}
        return buyer
    if method == "paydirekt" and address is not None:
        shipping = {
            "addresseeGivenName": first,
            "addresseeLastName": last,
            "street": street,
            "streetNr": number,
            "zip": address.postal_code,
            "city": address.city,
            "countryCode": address.country,
        }
        if customer.company:
            shipping["company"] = customer.company
        return shipping
    return None


def _form_field(path: str | None) -> str | None:
    """The form field a master-data error's path names (``bank_accounts[0].iban``: iban)."""
    if not path:
        return None
    return path.rsplit(".", 1)[-1].split("[", 1)[0]
