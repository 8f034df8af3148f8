"""What every fake provider server shares: a route table, fault injection, two ways to serve.

A fake server is a plain function from :class:`httpx.Request` to :class:`httpx.Response`
(:meth:`FakeServer.handle`). The base class runs it

* in-process, as an :class:`httpx.MockTransport` handler (:meth:`FakeServer.transport`), and
* as a real HTTP/1.1 server on 127.0.0.1 in a background thread (:meth:`FakeServer.serve`),

and in both modes applies the faults queued with :meth:`FakeServer.inject`.
"""

from __future__ import annotations

import contextlib
import enum
import http.server
import re
import threading
import time
from collections.abc import Callable  # attrs reads the hints
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar, TypeGuard, TypeVar, cast

import attrs
import httpx

if TYPE_CHECKING:
    from collections.abc import Hashable, Iterator

__all__ = [
    "FakeServer",
    "Fault",
    "FaultKind",
    "Record",
    "Refusal",
    "Route",
    "is_web_url",
    "route",
]

_Handler = TypeVar("_Handler", bound="Callable[..., httpx.Response]")
_PARAMETER = re.compile(r"\{(\w+)\}")


def is_web_url(value: object, *, max_length: int = 2048) -> TypeGuard[str]:
    """Whether ``value`` is an absolute http(s) URL a provider would accept as a callback.

    The fakes refuse what the real APIs refuse, so a client that sends a relative return
    URL fails in its tests rather than in production.

    >>> is_web_url("https://shop.example/paid"), is_web_url("/paid"), is_web_url(None)
    (True, False, False)
    """
    return (
        isinstance(value, str)
        and len(value) <= max_length
        and value.startswith(("https://", "http://"))
    )


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


class Record:
    """Base of a fake's typed state (``@attrs.define`` subclasses, mutable, snake_case).

    :meth:`wire` shows a record as the provider's JSON: camelCase names unless the class
    sets :attr:`camel_case` to false, fields starting with ``_`` (the fake's own notes)
    left out. Reading one by its wire name (``fake.orders[order_id]["capturedAmount"]``)
    still works, as it did when the fakes kept plain dicts.

    >>> @attrs.define
    ... class Order(Record):
    ...     order_id: str
    ...     captured_amount: int = 0
    ...     product: str | None = None
    >>> order = Order("o1")
    >>> order.wire(), order["capturedAmount"]
    ({'orderId': 'o1', 'capturedAmount': 0}, 0)
    """

    __slots__ = ()
    camel_case: ClassVar[bool] = True
    """Whether the provider's JSON names are camelCase (``orderId``) or snake_case."""

    def wire(self) -> dict[str, Any]:
        """The record as the provider's JSON object; ``None`` and ``_`` fields left out."""
        fields = attrs.fields(cast("type[attrs.AttrsInstance]", type(self)))
        name = _camel if self.camel_case else str
        values = ((name(f.name), getattr(self, f.name)) for f in fields if f.name[0] != "_")
        return {key: value for key, value in values if value is not None}

    def __getitem__(self, wire_name: str) -> Any:
        """The field called ``wire_name`` on the wire (or a ``_`` field, by its name).

        Raises:
            KeyError: no such field, or it is not set (absent from :meth:`wire`).
        """
        value = (
            getattr(self, wire_name, None) if wire_name[0] == "_" else self.wire().get(wire_name)
        )
        if value is None:
            raise KeyError(wire_name)
        return value


class FaultKind(enum.Enum):
    """What goes wrong with a request."""

    ERROR = "error"
    """Answer with an HTTP error status (and ``Retry-After``, if given) without handling it."""
    DROP = "drop"
    """Drop the connection before the request is handled: nothing happened at the provider."""
    LOSE_RESPONSE = "lose_response"
    """Handle the request, then lose the answer (a timeout after the provider accepted it)."""
    DELAY = "delay"
    """Handle the request after a pause (a slow answer)."""


@attrs.frozen
class Fault:
    """One injected fault.

    Attributes:
        kind: what goes wrong.
        method: only requests with this HTTP method, if set.
        path: only requests whose path contains this text, if set.
        status: the status :attr:`FaultKind.ERROR` answers with.
        retry_after: the ``Retry-After`` header to send with it, if any.
        delay: seconds :attr:`FaultKind.DELAY` waits.
        body: only requests whose body contains these bytes, if set (APIs with one endpoint,
            such as PayPal NVP's ``METHOD=DoCapture``).
    """

    kind: FaultKind
    method: str | None = None
    path: str | None = None
    status: int = 503
    retry_after: str | None = None
    delay: float = 0.0
    body: bytes | None = None

    def matches(self, request: httpx.Request) -> bool:
        """Whether this fault applies to ``request``."""
        return (
            (self.method is None or request.method == self.method)
            and (self.path is None or self.path in request.url.path)
            and (self.body is None or self.body in request.content)
        )


class Refusal(Exception):  # noqa: N818  # not an error of the fake: its provider says no
    """The provider refuses the request: raise a subclass anywhere while handling one.

    Each fake's subclass carries what its provider's refusals carry (an error code, an
    issue, a field); :meth:`FakeServer.dispatch` catches it and answers with the fake's
    :meth:`FakeServer.refusal_response`, so no fake repeats that plumbing.
    """


@attrs.frozen
class Route:
    """One line of a fake's route table: ``method`` on paths matching ``template``.

    Attributes:
        method: the HTTP method, or for an API with one endpoint (NVP, XML) the operation
            name the fake routes by.
        template: the path, with ``{name}`` for a parameter matching one non-empty segment,
            such as ``/v2/checkout/orders/{order_id}/capture``.
        handler: the fake's method answering it, called as
            ``handler(fake, *extra, **parameters)`` (see :meth:`FakeServer.route`).
    """

    method: str
    template: str
    handler: Callable[..., httpx.Response]
    pattern: re.Pattern[str] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        pieces = _PARAMETER.split(self.template)  # literal, name, literal, name, ...
        regex = "".join(
            re.escape(piece) if index % 2 == 0 else f"(?P<{piece}>[^/]+)"
            for index, piece in enumerate(pieces)
        )
        object.__setattr__(self, "pattern", re.compile(regex))


_MARKS: dict[Callable[..., httpx.Response], list[tuple[str, str]]] = {}


def route(method: str, template: str) -> Callable[[_Handler], _Handler]:
    """Put the decorated method of a :class:`FakeServer` subclass into its route table.

    A method may carry several routes. The table is the class's :attr:`FakeServer.routes`,
    built when the class is made, in the order the methods are written.
    """

    def mark(handler: _Handler) -> _Handler:
        _MARKS.setdefault(handler, []).append((method, template))
        return handler

    return mark


class _Dropped(Exception):  # noqa: N818  # a signal between the dispatcher and its runners
    def __init__(self, *, handled: bool) -> None:
        self.handled = handled


class FakeServer:
    """Base of the fake provider servers.

    Subclasses declare their endpoints with :func:`route` (the table is :attr:`routes`),
    and give :meth:`refusal_response`, :meth:`error_response` and :meth:`no_route` their
    provider's error shape; :meth:`handle` does what comes before routing. Every request that
    reaches the server is appended to :attr:`requests` (faulted ones too), so tests can
    assert what was sent, such as the same idempotency key on every retry.

    Args:
        sleep: how :attr:`FaultKind.DELAY` waits.
        clock: the provider's time in seconds since the epoch (:meth:`now`); inject one to
            move the fake's time in tests.
    """

    provider: ClassVar[str] = "fake"
    routes: ClassVar[tuple[Route, ...]] = ()
    """The route table: this class's ``@route`` methods after those of its bases."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = [
            Route(method, template, handler)
            for handler in vars(cls).values()
            if callable(handler)
            for method, template in _MARKS.get(handler, ())
        ]
        cls.routes = (*cls.routes, *own)

    def __init__(
        self,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._lock = threading.RLock()
        self.clock = clock
        self._faults: list[Fault] = []
        self._sleep = sleep
        self._replies: dict[Hashable, httpx.Response] = {}
        self.requests: list[httpx.Request] = []

    def now(self) -> datetime:
        """The fake's time, from :attr:`clock` (seconds since the epoch), in UTC.

        Every timestamp a fake writes comes from here, so a test that passes ``clock=``
        controls the provider's time: expiry, timestamps in answers and notifications.
        """
        return datetime.fromtimestamp(self.clock(), UTC)

    # -- subclass interface ----------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request the way the real provider would: by default from :meth:`route`.

        Fakes override it to authenticate, decode the body or replay by idempotency key
        before routing.
        """
        return self.route(request)

    def error_response(self, status: int) -> httpx.Response:
        """The provider's answer for an injected error status."""
        return httpx.Response(status, json={"error": "injected fault"})

    def refusal_response(self, refusal: Refusal, request: httpx.Request) -> httpx.Response:
        """The provider's answer when it refuses ``request`` with ``refusal``."""
        return httpx.Response(400, json={"error": str(refusal) or type(refusal).__name__})

    def no_route(self, request: httpx.Request, status: int) -> Refusal:
        """The refusal for a path no route serves (404) or a method it does not (405).

        :meth:`route` raises it, so it reaches the client in the provider's error shape
        through :meth:`refusal_response`; fakes override this for their provider's codes.
        """
        return Refusal(f"{status}: no route for {request.method} {request.url.path}")

    def route(
        self,
        request: httpx.Request,
        *extra: object,
        path: str | None = None,
        method: str | None = None,
    ) -> httpx.Response:
        """Answer ``request`` from :attr:`routes`: the first route whose template matches.

        The handler is called as ``handler(self, *extra, **parameters)``: ``extra`` is what
        the fake passes along (the request, its decoded body), ``parameters`` the template's
        ``{name}`` segments. ``path`` and ``method`` replace the request's own (a fake that
        accepts an optional version prefix strips it; an NVP fake routes by operation).

        Raises:
            Refusal: :meth:`no_route` with 404 when no template matches the path, 405 when
                one does but not for this method.
        """
        path = request.url.path if path is None else path
        method = request.method if method is None else method
        allowed = False
        for candidate in self.routes:
            found = candidate.pattern.fullmatch(path)
            if found is None:
                continue
            if candidate.method == method:
                return candidate.handler(self, *extra, **found.groupdict())
            allowed = True
        raise self.no_route(request, 405 if allowed else 404)

    # -- idempotency -----------------------------------------------------------------------

    def answer_once(
        self, key: Hashable | None, produce: Callable[[], httpx.Response]
    ) -> httpx.Response:
        """Answer with ``produce()``, or with a copy of the answer first given for ``key``.

        How providers with an idempotency key (a header such as ``PayPal-Request-Id``, a
        ``key`` field in the body) deduplicate: a repeated key gets the first successful
        answer again and nothing happens twice. ``key=None`` (no key sent) always produces.
        Failed answers are not remembered, so a corrected retry can succeed.
        """
        if key is not None:
            first = self._replies.get(key)
            if first is not None:
                return httpx.Response(
                    first.status_code, headers=first.headers, content=first.content
                )
        response = produce()
        if key is not None and response.is_success:
            response.read()
            self._replies[key] = response
        return response

    # -- faults ----------------------------------------------------------------------------

    def inject(
        self,
        kind: FaultKind,
        *,
        times: int = 1,
        method: str | None = None,
        path: str | None = None,
        status: int = 503,
        retry_after: str | None = None,
        delay: float = 0.0,
        body: bytes | None = None,
    ) -> None:
        """Queue ``times`` faults of ``kind``; the next matching requests suffer them in order.

        The other arguments are the fields of :class:`Fault`: which requests it hits
        (``method``, ``path`` substring, ``body`` substring) and how (``status``,
        ``retry_after``, ``delay``).
        """
        fault = Fault(kind, method, path, status, retry_after, delay, body)
        with self._lock:
            self._faults.extend([fault] * times)

    def clear_faults(self) -> None:
        """Forget every fault not yet used."""
        with self._lock:
            self._faults.clear()

    def _take_fault(self, request: httpx.Request) -> Fault | None:
        with self._lock:
            for index, fault in enumerate(self._faults):
                if fault.matches(request):
                    return self._faults.pop(index)
        return None

    def dispatch(self, request: httpx.Request) -> httpx.Response:
        """Answer ``request``, applying the next matching fault; both runners call this.

        Raises:
            _Dropped: the connection is to be dropped (before or after handling).
        """
        request.read()
        with self._lock:
            self.requests.append(request)
        fault = self._take_fault(request)
        if fault is not None:
            if fault.kind is FaultKind.ERROR:
                response = self.error_response(fault.status)
                if fault.retry_after is not None:
                    response.headers["Retry-After"] = fault.retry_after
                return response
            if fault.kind is FaultKind.DROP:
                raise _Dropped(handled=False)
            if fault.kind is FaultKind.DELAY:
                self._sleep(fault.delay)
        with self._lock:
            try:
                response = self.handle(request)
            except Refusal as refusal:
                response = self.refusal_response(refusal, request)
        if fault is not None and fault.kind is FaultKind.LOSE_RESPONSE:
            raise _Dropped(handled=True)
        return response

    # -- in-process ------------------------------------------------------------------------

    def __call__(self, request: httpx.Request) -> httpx.Response:
        """The :class:`httpx.MockTransport` handler: faults become httpx's own errors."""
        try:
            return self.dispatch(request)
        except _Dropped as dropped:
            if dropped.handled:
                raise httpx.ReadTimeout("injected fault: answer lost", request=request) from None
            raise httpx.ConnectError(
                "injected fault: connection dropped", request=request
            ) from None

    def transport(self) -> httpx.MockTransport:
        """An :class:`httpx.MockTransport` answering from this server (sync and async)."""
        return httpx.MockTransport(self)

    # -- loopback --------------------------------------------------------------------------

    @contextlib.contextmanager
    def serve(self) -> Iterator[str]:
        """Serve on a free port of 127.0.0.1 in a background thread; yields the base URL.

        >>> from payportal.testing.fake_paypal import FakePayPal
        >>> with FakePayPal().serve() as base_url:
        ...     base_url.startswith("http://127.0.0.1:")
        True
        """
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = True
        thread = threading.Thread(
            target=server.serve_forever, args=(0.01,), name=f"fake-{self.provider}"
        )
        thread.daemon = True
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)


def _handler_for(fake: FakeServer) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real providers do
        # One write per answer and no Nagle delay: otherwise every round trip waits ~40 ms
        # for a delayed ACK, and loopback tests and benchmarks measure TCP, not the code.
        disable_nagle_algorithm = True
        wbufsize = 64 * 1024

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            port = cast("http.server.HTTPServer", self.server).server_port
            request = httpx.Request(
                self.command,
                f"http://127.0.0.1:{port}{self.path}",
                headers=list(self.headers.items()),
                content=body,
            )
            try:
                response = fake.dispatch(request)
            except _Dropped:
                self.close_connection = True
                return
            response.read()
            self.send_response(response.status_code)
            for name, value in response.headers.multi_items():
                if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.content)))
            self.end_headers()
            self.wfile.write(response.content)

        do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _answer  # noqa: N815

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # keep test output clean; requests are recorded on the fake instead

    return Handler
