from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest

from payportal import Money
from payportal.providers import PaymentRequest
from payportal.testing import (
    FakeBillwerkPay,
    FakePayEngine,
    FakePayPal,
    FakeServer,
    FaultKind,
    Refusal,
)
from payportal.testing._registry import FAKES
from payportal.testing._server import route

RETURN = "https://shop.example/ok"

if TYPE_CHECKING:
    from collections.abc import Iterator


class Counter(FakeServer):
    """A minimal fake: counts the requests it handled."""

    provider = "counter"

    def __init__(self) -> None:
        super().__init__(sleep=lambda seconds: None)
        self.handled = 0

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.handled += 1
        return httpx.Response(200, json={"n": self.handled, "echo": request.content.decode()})


Pair = tuple[Counter, httpx.Client]


@pytest.fixture(params=["mock", "loopback"])
def send(request: pytest.FixtureRequest) -> Iterator[Pair]:
    server = Counter()
    if request.param == "mock":
        client = httpx.Client(transport=server.transport(), base_url="https://fake.example")
        yield server, client
        client.close()
    else:
        with server.serve() as base_url, httpx.Client(base_url=base_url, timeout=5) as client:
            yield server, client


def test_plain_requests_are_handled(send: Pair) -> None:
    server, client = send
    response = client.post("/x", content=b"hello")
    assert response.json() == {"n": 1, "echo": "hello"}
    assert [r.url.path for r in server.requests] == ["/x"]


def test_error_fault_does_not_reach_the_handler(send: Pair) -> None:
    server, client = send
    server.inject(FaultKind.ERROR, status=429, retry_after="7")
    response = client.get("/x")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert server.handled == 0
    assert client.get("/x").status_code == 200


def test_drop_fault_fails_without_handling(send: Pair) -> None:
    server, client = send
    server.inject(FaultKind.DROP)
    with pytest.raises(httpx.TransportError):
        client.get("/x")
    assert server.handled == 0


def test_lost_response_fault_fails_after_handling(send: Pair) -> None:
    server, client = send
    server.inject(FaultKind.LOSE_RESPONSE)
    with pytest.raises(httpx.TransportError):
        client.get("/x")
    assert server.handled == 1
    assert client.get("/x").json()["n"] == 2


def test_faults_match_method_and_path(send: Pair) -> None:
    server, client = send
    server.inject(FaultKind.ERROR, path="/pay", method="POST", times=2)
    assert client.get("/pay").status_code == 200
    assert client.post("/other").status_code == 200
    assert client.post("/pay").status_code == 503
    assert client.post("/pay").status_code == 503
    assert client.post("/pay").status_code == 200
    server.inject(FaultKind.ERROR)
    server.clear_faults()
    assert client.get("/x").status_code == 200


def test_delay_fault_uses_the_injected_sleep() -> None:
    slept: list[float] = []

    class Slow(Counter):
        def __init__(self) -> None:
            FakeServer.__init__(self, sleep=slept.append)
            self.handled = 0

    server = Slow()
    server.inject(FaultKind.DELAY, delay=3.0)
    with httpx.Client(transport=server.transport()) as client:
        assert client.get("https://fake.example/").status_code == 200
    assert slept == [3.0]


def test_serve_releases_the_port() -> None:
    server = Counter()
    with server.serve() as base_url:
        assert httpx.get(base_url + "/x").status_code == 200
    with pytest.raises(httpx.ConnectError):
        httpx.get(base_url + "/x", timeout=1)


def test_answer_once_replays_the_first_success_per_key() -> None:
    server = FakeServer()
    made: list[int] = []

    def produce(status: int = 201) -> httpx.Response:
        made.append(status)
        return httpx.Response(status, json={"n": len(made)})

    first = server.answer_once(("key-1", "/orders"), produce)
    again = server.answer_once(("key-1", "/orders"), produce)
    assert (again.status_code, again.json()) == (first.status_code, first.json()) == (201, {"n": 1})
    assert server.answer_once(("key-2", "/orders"), produce).json() == {"n": 2}
    assert server.answer_once(None, produce).json() == {"n": 3}
    assert server.answer_once(None, produce).json() == {"n": 4}
    # A refusal is not remembered: the same key may succeed once the request is corrected.
    assert server.answer_once("key-3", lambda: produce(422)).status_code == 422
    assert server.answer_once("key-3", produce).json() == {"n": 6}
    assert made == [201, 201, 201, 201, 422, 201]


def test_the_fakes_take_their_time_from_the_injected_clock() -> None:
    moment = 1_700_000_000.0  # 2023-11-14T22:13:20Z
    entries = {entry.name: entry for entry in FAKES}
    paypal_fake = FakePayPal(clock=lambda: moment)
    assert paypal_fake.now().isoformat() == "2023-11-14T22:13:20+00:00"
    with entries["paypal"].connect(paypal_fake, transport=paypal_fake.transport()) as client:
        created = client.create_payment(
            PaymentRequest(amount=Money("1.00", "EUR"), reference="CLOCK-1")
        )
    assert paypal_fake.orders[created.id]["create_time"] == "2023-11-14T22:13:20Z"
    payengine_fake = FakePayEngine(clock=lambda: moment)
    with entries["payengine"].connect(payengine_fake, transport=payengine_fake.transport()) as c:
        order_id = c.create_payment(
            PaymentRequest(amount=Money("1.00", "EUR"), reference="CLOCK-2", return_url=RETURN)
        ).id
    assert payengine_fake.orders[order_id]["createdAt"] == 1_700_000_000_000


class _NoSuchThing(Refusal):
    def __init__(self, thing: str) -> None:
        super().__init__(thing)
        self.thing = thing


class Refusing(FakeServer):
    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/ok":
            return httpx.Response(200, json={"ok": True})
        raise _NoSuchThing(request.url.path)

    def refusal_response(self, refusal: Refusal, request: httpx.Request) -> httpx.Response:
        assert isinstance(refusal, _NoSuchThing)
        return httpx.Response(404, json={"missing": refusal.thing, "method": request.method})


def test_a_refusal_is_answered_with_the_fakes_error_body_in_both_modes() -> None:
    server = Refusing()
    with httpx.Client(transport=server.transport()) as client:
        assert client.get("https://fake.example/ok").json() == {"ok": True}
        answer = client.post("https://fake.example/nothing")
    assert (answer.status_code, answer.json()) == (404, {"missing": "/nothing", "method": "POST"})
    with server.serve() as base_url:
        assert httpx.delete(f"{base_url}/gone").json() == {"missing": "/gone", "method": "DELETE"}
    assert FakeServer().refusal_response(Refusal("no"), answer.request).status_code == 400


class _Unrouted(Refusal):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class Shelf(FakeServer):
    """A fake served only from its route table."""

    def __init__(self) -> None:
        super().__init__()
        self.items = {"a": "apple"}

    @route("GET", "/items/{item_id}")
    def _get(self, item_id: str) -> httpx.Response:
        return httpx.Response(200, json={"id": item_id, "name": self.items[item_id]})

    @route("PUT", "/items/{item_id}")
    def _put(self, item_id: str) -> httpx.Response:
        self.items[item_id] = "put"
        return httpx.Response(201, json={"id": item_id})

    @route("POST", "/items/{item_id}/notes/{note}")
    def _note(self, item_id: str, note: str) -> httpx.Response:
        return httpx.Response(200, json={"id": item_id, "note": note})

    def no_route(self, request: httpx.Request, status: int) -> Refusal:
        return _Unrouted(status)

    def refusal_response(self, refusal: Refusal, request: httpx.Request) -> httpx.Response:
        assert isinstance(refusal, _Unrouted)
        return httpx.Response(refusal.status, json={"shelf_error": refusal.status})


class TallShelf(Shelf):
    @route("GET", "/tall")
    def _tall(self) -> httpx.Response:
        return httpx.Response(200, json={"tall": True})


def test_the_route_table_binds_parameters_and_answers_404_and_405_in_the_fakes_shape() -> None:
    with httpx.Client(transport=Shelf().transport(), base_url="https://f.example") as client:
        assert client.get("/items/a").json() == {"id": "a", "name": "apple"}
        assert client.put("/items/b").status_code == 201
        assert client.post("/items/b/notes/x%20y").json() == {"id": "b", "note": "x y"}
        missing = [client.get(p) for p in ("/items", "/items/a/b", "/items/", "/itemsa")]
        wrong = client.delete("/items/a")
    assert [(r.status_code, r.json()) for r in missing] == [(404, {"shelf_error": 404})] * 4
    assert (wrong.status_code, wrong.json()) == (405, {"shelf_error": 405})


def test_a_subclass_adds_its_routes_after_its_bases() -> None:
    assert [(r.method, r.template) for r in TallShelf.routes] == [
        ("GET", "/items/{item_id}"),
        ("PUT", "/items/{item_id}"),
        ("POST", "/items/{item_id}/notes/{note}"),
        ("GET", "/tall"),
    ]
    assert len(Shelf.routes) == 3
    answer = FakeServer()(httpx.Request("GET", "https://f.example/x"))
    assert answer.json() == {"error": "404: no route for GET /x"}  # the base's default body


def test_payengine_state_is_typed_and_still_reads_by_wire_name() -> None:
    fake = FakePayEngine()
    with fake.serve() as base_url:
        answer = httpx.post(
            f"{base_url}/v1/orders",
            auth=(fake.merchant_id, fake.api_key),
            json={
                "initialAmount": 1250,
                "currency": "EUR",
                "transactionType": "PREAUTH",
                "async": {
                    f"{k}Url": f"https://shop.example/{k}" for k in ("success", "failure", "cancel")
                },
            },
        )
    order = fake.orders[answer.json()["orderId"]]
    fake.approve(order.order_id)
    assert (order.status, order.preauthorized_amount, order["preauthorizedAmount"]) == (
        "OPEN",
        1250,
        1250,
    )
    (transaction,) = (fake.transactions[t] for t in order.transactions)
    assert (transaction.type, transaction["order"]) == ("PREAUTH", order.order_id)
    assert "source" not in order.wire()
    with pytest.raises(KeyError, match="source"):
        order["source"]


def test_billwerk_state_is_typed_and_its_own_notes_stay_off_the_wire() -> None:
    fake = FakeBillwerkPay()
    with httpx.Client(
        transport=fake.transport(), base_url="https://api.reepay.com", auth=(fake.private_key, "")
    ) as client:
        created = client.post(
            "/v1/session/charge",
            json={
                "order": {
                    "handle": "inv-1",
                    "amount": 500,
                    "currency": "EUR",
                    "customer_handle": "c1",
                },
                "settle": True,
            },
        )
        assert created.status_code == 200
        fake.approve("inv-1")
        invoice = client.get("/v1/invoice/inv-1").json()
        charge = client.get("/v1/charge/inv-1").json()
    record = fake.invoices["inv-1"]
    assert (record.state, record.settled_amount, record["settled_amount"]) == ("settled", 500, 500)
    assert invoice == record.wire()
    assert not [key for key in (*invoice, *charge) if key.startswith("_")]
    assert charge["transaction"] == record.transactions[0]["id"]
    assert "settled_amount" not in charge
