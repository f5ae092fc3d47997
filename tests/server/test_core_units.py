"""Units of the server core that need neither the contract validator nor the engine."""

from __future__ import annotations

import pytest

from contract.violations import Violation
from mockserver.core.errors import error_body, pointer_to_param
from mockserver.core.routes import Router
from mockserver.core.sse import paced
from mockserver.state.journal import mask_headers
from mockserver.state.ratelimit import RateLimiter
from mockserver.state.store import MemoryStore


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_journal_is_a_ring_buffer():
    from mockserver.state.journal import JournalEntry

    store = MemoryStore(journal_size=3)
    for i in range(5):
        store.journal_append(JournalEntry(id=str(i), started=0.0, method="GET", path="/v1/models",
                                          endpoint="models", dialect="native", headers={}))
    assert [e.id for e in store.journal_entries()] == ["2", "3", "4"]
    store.journal_clear()
    assert store.journal_entries() == []


def test_store_rejects_a_journal_of_size_zero():
    with pytest.raises(ValueError, match="journal_size"):
        MemoryStore(journal_size=0)


def test_rate_limiter_refuses_past_the_rpm_and_recovers_next_window():
    clock = FakeClock()
    limiter = RateLimiter(MemoryStore(clock=clock), rpm=2, tpm=None)
    assert limiter.admit("k").allowed
    second = limiter.admit("k")
    assert second.allowed
    assert dict(limiter.spend("k", 0, second))["x-ratelimit-remaining-requests"] == "0"
    third = limiter.admit("k")
    assert not third.allowed
    assert third.rule == "rate_limit.requests"
    assert 1 <= third.retry_after_s <= 60
    assert limiter.admit("other-key").allowed  # budgets are per key
    clock.now += 61
    assert limiter.admit("k").allowed


def test_rate_limiter_counts_tokens_spent():
    limiter = RateLimiter(MemoryStore(clock=FakeClock()), rpm=None, tpm=100)
    admitted = limiter.admit("k")
    assert admitted.allowed
    headers = dict(limiter.spend("k", 100, admitted))
    assert headers["x-ratelimit-remaining-tokens"] == "0"
    refused = limiter.admit("k")
    assert not refused.allowed
    assert refused.rule == "rate_limit.tokens"
    assert dict(refused.headers)["x-ratelimit-remaining-tokens"] == "0"


@pytest.mark.parametrize(("rpm", "tpm", "name"), [(0, None, "rpm"), (None, -1, "tpm")])
def test_rate_limiter_names_a_bad_limit(rpm, tpm, name):
    with pytest.raises(ValueError, match=name):
        RateLimiter(MemoryStore(), rpm=rpm, tpm=tpm)


@pytest.mark.parametrize(
    ("method", "path", "handler", "model"),
    [
        ("POST", "/v1/chat/completions", "chat", None),
        ("POST", "/chat/completions", "chat", None),
        ("POST", "/compat/v1/chat/completions", "chat", None),
        ("GET", "/v1/models/Llama-3.3-70B-Instruct", "model", "Llama-3.3-70B-Instruct"),
        ("GET", "/models/Llama%2D4", "model", "Llama-4"),
        ("HEAD", "/v1/models", "models", None),
        ("POST", "/v1/chat/completions/", "chat", None),
    ],
)
def test_router_matches(method, path, handler, model):
    match = Router().match(method, path)
    assert match.route is not None
    assert match.route.handler == handler
    assert match.model == model


def test_router_reports_allowed_methods_and_unknown_paths():
    wrong = Router().match("GET", "/v1/chat/completions")
    assert wrong.route is None
    assert wrong.allowed == ("POST",)
    assert Router().match("GET", "/v2/anything").allowed == ()


def test_error_bodies_in_both_dialects():
    violations = [
        Violation("field.type", "/messages/0/content", "found a number; expected a string")
    ]
    native = error_body(400, violations, dialect="native")
    assert native["title"] == "Bad Request"
    assert native["status"] == 400
    assert native["errors"][0]["path"] == "/messages/0/content"
    compat = error_body(400, violations, dialect="compat")["error"]
    assert compat["type"] == "invalid_request_error"
    assert compat["param"] == "messages[0].content"
    assert compat["code"] == "field.type"


@pytest.mark.parametrize("dialect", ["native", "compat"])
def test_an_error_body_lists_errors_before_warnings(dialect):
    warning = Violation("model.unknown", "/model", "not a known model id", severity="warning")
    error = Violation("message.role.unknown", "/messages/0/role", "no role 'wizard'")
    body = error_body(400, [warning, error], dialect=dialect)
    listed = body["errors"] if dialect == "native" else body["error"]["errors"]
    assert [item["rule"] for item in listed] == ["message.role.unknown", "model.unknown"]
    only_warnings = error_body(400, [warning], dialect=dialect)
    assert len(only_warnings["errors"] if dialect == "native" else only_warnings["error"]["errors"]) == 1


def test_pointer_to_param_unescapes():
    assert pointer_to_param("/a~1b/0/c~0d") == "a/b[0].c~d"
    assert pointer_to_param("") is None


def test_secrets_are_masked_in_the_journal():
    masked = mask_headers({"authorization": "Bearer LLM|123|secretvalue", "accept": "*/*"})
    assert masked["authorization"] == "Bearer ***alue"
    assert "secret" not in masked["authorization"]
    assert masked["accept"] == "*/*"


@pytest.mark.parametrize("key", ["k", "abcd", "short-key-1"])
def test_a_short_secret_is_masked_whole(key):
    assert mask_headers({"authorization": f"Bearer {key}"})["authorization"] == "Bearer ***"
    assert mask_headers({"x-api-key": key})["x-api-key"] == "***"


def test_pacing_waits_before_the_first_token_and_per_token():
    waits: list[float] = []
    records = [(b"start", 0), (b"a", 2), (b"b", 4), (b"end", 0)]
    out = list(paced(records, ttft_ms=250, tokens_per_second=4, sleep=waits.append))
    assert out == [b"start", b"a", b"b", b"end"]
    assert waits == [0.25, 1.0]


def test_no_pacing_by_default():
    waits: list[float] = []
    list(paced([(b"a", 3), (b"b", 3)], sleep=waits.append))
    assert waits == []


def test_pointer_tokens_that_only_look_like_digits_stay_names():
    assert pointer_to_param("/properties/²/type") == "properties.².type"


@pytest.mark.parametrize("dialect", ["native", "compat"])
def test_the_message_counts_the_other_errors_apart_from_a_list_of_values(dialect):
    role = Violation("message.role.unknown", "/messages/0/role",
                     "\"wizard\" is not allowed for 'role'; allowed: \"system\", \"user\"")
    extra = Violation("field.range", "/temperature", "9 is above the maximum 2")
    body = error_body(400, [role, extra, extra], dialect=dialect)
    message = body["detail"] if dialect == "native" else body["error"]["message"]
    assert message == role.message + ' (2 more errors: see "errors")'
    one = error_body(400, [role, extra], dialect=dialect)
    assert (one["detail"] if dialect == "native" else one["error"]["message"]).endswith(
        '"user" (1 more error: see "errors")'
    )
