"""Client checks: a client sends conforming requests and hands its user what the server sent.

Each check grades one `ClientCase`: the scripted answer of the step that answered (text, tool
calls, document, stop reason), the step's `expect`, and the requests the server saw.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

from contract.conformance.checks.client_model import CallTimedOut, ClientCase, RequestSeen
from contract.conformance.checks.registry import register
from contract.scenarios.loading import Respond
from contract.validate.documents import validate_request
from contract.violations import Violation

# Exceptions that are a bug in the code that raised them (the client's or its adapter's), not a
# client telling its user that the server answered with an error.
PROGRAMMING_ERRORS: tuple[type[BaseException], ...] = (
    AttributeError, TypeError, NameError, KeyError, IndexError, AssertionError, ImportError,
    RecursionError, NotImplementedError,
)  # fmt: skip

# Error statuses a client must not retry: the SDKs retry 408, 409, 429 and 5xx only.
_NOT_RETRYABLE = frozenset({400, 401, 403, 404, 405, 413, 415, 422})

# Faults that change how an answer arrives but not what it says.
_FAITHFUL_FAULTS = frozenset(
    {"latency", "slow_stream", "rate_limit", "fail_then_succeed", "redirect", "stall"}
)


def _one(rule: str, message: str, path: str = "") -> list[Violation]:
    return [Violation(rule, path, message)]


def _answered(case: ClientCase) -> bool:
    """A chat call the step answered with what the checks of its content grade: not an error it
    expected, not a request the scenario refused as matching no step, not a call that hung."""
    return (case.conversation.operation == "chat" and not error_expected(case)
            and refused_answer(case) is None and not _hung(case))  # fmt: skip


def _hung(case: ClientCase) -> bool:
    """Whether the call did not return within the call timeout (`call_returned` says so)."""
    return isinstance(case.outcome.error, CallTimedOut)


def _scripted(case: ClientCase) -> Respond | None:
    """The scripted success answer the client got, when it reached the client unchanged (a bare
    204 or 205 scripts none: no text, no stop reason)."""
    step = case.answering_step
    respond = step.respond
    if respond is None or respond.is_error or respond.has_body or respond.bodiless:
        return None
    if error_expected(case):
        return None
    if any(fault.name not in _FAITHFUL_FAULTS for fault in step.faults):
        return None
    return respond


def _final_status(case: ClientCase) -> int | None:
    return case.seen[-1].status if case.seen else None


def unmatched_requests(case: ClientCase) -> list[tuple[int, RequestSeen]]:
    """The requests of the call (numbered from 1) that the mock's scenario refused as matching no
    step, which are the client's doing: all of them but a retry refused by a scenario that has
    answered its last step (`when_done: fail`) after a step of this call answered an error or a
    redirect (the scenario's own answer to retries)."""
    found = []
    for number, request in enumerate(case.seen, start=1):
        if request.matched:
            continue
        retried = any(r.matched and r.step is not None and r.status >= 300
                      for r in case.seen[:number - 1])  # fmt: skip
        if request.scenario_miss == "scenario.finished" and retried:
            continue
        found.append((number, request))
    return found


def refused_answer(case: ClientCase) -> RequestSeen | None:
    """The call's last request, when the scenario refused it as matching no step (its 404 is no
    answer of the step: neither an error the step expected nor one it did not)."""
    found = unmatched_requests(case)
    if found and found[-1][0] == len(case.seen):
        return found[-1][1]
    return None


def error_expected(case: ClientCase) -> bool:
    if refused_answer(case) is not None:
        return False  # `request_matched` says what happened
    expect = case.step.expect
    if expect is not None and expect.raises is not None:
        return expect.raises
    status = _final_status(case)
    return status is not None and status >= 400


@register(name="requests_conform", rule="client.request.conforms", scope="client")
def requests_conform(case: ClientCase) -> list[Violation] | None:
    """Every request the client sent conforms to the contract."""
    if case.conversation.operation != "chat" or not case.seen:
        return None
    # What the step's own example request breaks (on purpose, or a tolerated field such as the
    # seed example's max_tokens) is not the client's doing: only other findings count.
    example = validate_request(case.conversation.request, endpoint=case.conversation.endpoint)
    allowed = {(v.rule, v.path) for v in example.violations}
    found: list[Violation] = []
    for number, request in enumerate(case.seen, start=1):
        found += [v.at_line(number) for v in request.violations if (v.rule, v.path) not in allowed]
    return found


_REFUSED_AS = {
    "scenario.no_match": "the client sent a request the conversation did not ask for",
    "scenario.finished": "the client sent a request after the scenario's last step had answered",
    "scenario.unknown": "the client sent a request whose x-mock-scenario names no scenario "
                        "(send the conversation's headers as they are)",
}  # fmt: skip


_SEND_HEADERS = ("send the conversation's headers (Conversation.headers) with every request of "
                 "the call; they tell the mock which scenario and session answer")


@register(name="request_matched", rule="client.request.matched", scope="client")
def request_matched(case: ClientCase) -> list[Violation] | None:
    """Every request the client sent for a call matched the scenario's step: the client sent the
    request the conversation asked for (its stream, tools, messages ...), not another one."""
    sessionless = sum(request.sessionless for request in case.seen)
    if sessionless:
        return _one("client.request.matched", f"the server saw {sessionless} request(s) of this "
                    f"call without its session header: {_SEND_HEADERS}")  # fmt: skip
    if not case.seen:
        if case.outcome.error is not None:
            return None  # it raised before sending (or hung): what it raised is graded
        return _one("client.request.matched", "the server saw no request of this call carrying "
                    f"its session header, yet the client returned a result: {_SEND_HEADERS}")
    found = unmatched_requests(case)
    if not found:
        return []
    number, request = found[0]
    why = _REFUSED_AS.get(request.scenario_miss or "", "the mock's scenario refused the request")
    message = (f"{why} (request {number} of {len(case.seen)}, step {case.step.name!r}); the mock "
               f"answered {request.status} {request.scenario_miss}: "
               f"{request.miss_message or 'no scenario step matches this request'}")  # fmt: skip
    if len(found) > 1:
        message += f" ({len(found) - 1} more request(s) of this call matched no step either)"
    return _one("client.request.matched", message)


@register(name="call_returned", rule="client.call.timeout", scope="client")
def call_returned(case: ClientCase) -> list[Violation] | None:
    """The call returns within the call timeout: the client answers or raises, it does not hang."""
    if not _hung(case):
        return None
    status = _final_status(case)
    seen = f"the server's last answer was {status}; " if status is not None else (
        "the server saw no request of the call; ")  # fmt: skip
    return _one("client.call.timeout", f"{seen}{case.outcome.error}")


@register(name="error_surfaced", rule="client.error.surfaced", scope="client")
def error_surfaced(case: ClientCase) -> list[Violation] | None:
    """An error answer (or a broken stream) reaches the user as an error."""
    if not error_expected(case) or _hung(case):
        return None
    error = case.outcome.error
    if isinstance(error, PROGRAMMING_ERRORS):
        return _one("client.error.surfaced", f"the client raised {type(error).__name__}: "
                    f"{str(error)[:300]}, a programming error, not a surfaced error "
                    "answer")  # fmt: skip
    if error is not None:
        return []
    status = _final_status(case)
    return _one("client.error.surfaced", f"the server's last answer was {status} (or a broken "
                "stream) and the client returned it as a result instead of raising")  # fmt: skip


@register(name="no_unexpected_error", rule="client.error.unexpected", scope="client")
def no_unexpected_error(case: ClientCase) -> list[Violation] | None:
    """The client does not raise on an answer that conforms."""
    if error_expected(case) or refused_answer(case) is not None or _hung(case):
        return None
    error = case.outcome.error
    if error is None:
        return []
    return _one("client.error.unexpected", f"the client raised {type(error).__name__}: "
                f"{str(error)[:300]}")  # fmt: skip


@register(name="text_intact", rule="client.text.intact", scope="client")
def text_intact(case: ClientCase) -> list[Violation] | None:
    """The text reaches the user exactly as the server sent it."""
    expect, respond = case.step.expect, _scripted(case)
    wanted = respond.text if respond is not None and respond.document is None else None
    contains = expect.text_contains if expect is not None else None
    regex = expect.text_regex if expect is not None else None
    if not _answered(case):
        return None
    if wanted is None and contains is None and regex is None:
        return None
    text = case.outcome.text or ""
    if wanted is not None and text != wanted:
        return _one("client.text.intact", f"the client returned {text[:200]!r}; the server "
                    f"sent {wanted[:200]!r}")  # fmt: skip
    if contains is not None and contains not in text:
        return _one("client.text.intact", f"the text {text[:200]!r} lacks {contains!r}")
    if regex is not None and not regex.search(text):
        return _one("client.text.intact", f"the text {text[:200]!r} does not match "
                    f"{regex.pattern!r}")  # fmt: skip
    return []


def _arguments(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


@register(name="tool_calls_intact", rule="client.tool_calls.intact", scope="client")
def tool_calls_intact(case: ClientCase) -> list[Violation] | None:
    """Tool calls reach the user whole: every call, its name, id and arguments."""
    if not _answered(case):
        return None
    expect, respond = case.step.expect, _scripted(case)
    got = case.outcome.tool_calls
    names = [call.name for call in got]
    if respond is not None and respond.tool_calls:
        sent = [(c.name, _arguments(c.arguments), c.id) for c in respond.tool_calls]
        if len(got) != len(sent):
            return _one("client.tool_calls.intact", f"the client returned {len(got)} tool "
                        f"call(s) {names}; the server sent {len(sent)}: "
                        f"{[name for name, _, _ in sent]}")  # fmt: skip
        for index, (call, (name, arguments, call_id)) in enumerate(zip(got, sent, strict=True)):
            if call.name != name or call.parsed_arguments() != arguments:
                return _one("client.tool_calls.intact", f"tool call {index}: the client returned "
                            f"{call.name}({call.arguments!r}); the server sent {name} with "
                            f"{json.dumps(arguments)}", f"/tool_calls/{index}")  # fmt: skip
            if call_id is not None and call.id is not None and call.id != call_id:
                return _one("client.tool_calls.intact", f"tool call {index}: id {call.id!r}; "
                            f"the server sent {call_id!r}", f"/tool_calls/{index}/id")  # fmt: skip
        return []
    if expect is None or (not expect.tools_called and expect.tool_calls is None):
        return None
    missing = [name for name in expect.tools_called if name not in names]
    if missing:
        return _one("client.tool_calls.intact", f"no call of {missing} among the client's tool "
                    f"calls {names}")  # fmt: skip
    if expect.tool_calls is not None and len(got) != expect.tool_calls:
        return _one("client.tool_calls.intact", f"the client returned {len(got)} tool call(s); "
                    f"expected {expect.tool_calls}")  # fmt: skip
    return []


@register(name="document_intact", rule="client.document.intact", scope="client")
def document_intact(case: ClientCase) -> list[Violation] | None:
    """Structured output reaches the user as the document the server sent."""
    if not _answered(case):
        return None
    expect, respond = case.step.expect, _scripted(case)
    sent = respond.document if respond is not None else None
    if sent is None and (expect is None or expect.document is None):
        return None
    document = case.outcome.document
    if document is None:
        try:
            document = json.loads(case.outcome.text or "")
        except ValueError:
            if sent is not None or (expect is not None and expect.document):
                return _one("client.document.intact", f"the client's text "
                            f"{(case.outcome.text or '')[:200]!r} is not the JSON document "
                            "the server sent")  # fmt: skip
            return []
    if sent is not None and document != sent:
        return _one("client.document.intact", f"the client returned {json.dumps(document)[:200]}; "
                    f"the server sent {json.dumps(sent)[:200]}")  # fmt: skip
    return []


@register(name="stop_reason", rule="client.stop_reason", scope="client")
def stop_reason(case: ClientCase) -> list[Violation] | None:
    """The stop reason reaches the user as the server sent it."""
    if not _answered(case):
        return None
    expect, respond = case.step.expect, _scripted(case)
    wanted = expect.stop_reason if expect is not None else None
    said = "the scenario expects"
    if wanted is None and respond is not None and case.outcome.stop_reason is not None:
        wanted, said = respond.resolved_stop_reason, "the mock server sent"
    if wanted is None:
        return None
    if case.outcome.stop_reason == wanted:
        return []
    return _one("client.stop_reason", f"the client returned stop reason "
                f"{case.outcome.stop_reason!r}; {said} {wanted!r}")  # fmt: skip


@register(name="retry_after", rule="client.retry.after", scope="client")
def retry_after(case: ClientCase) -> list[Violation] | None:
    """A retry waits at least as long as retry-after asked."""
    if _hung(case):
        return None  # `call_returned` says what happened
    expect = case.step.expect
    if expect is None or expect.min_retry_wait_ms is None:
        return None
    if len(case.seen) < 2:
        return _one("client.retry.count", f"{len(case.seen)} request(s): the client did not "
                    "retry an answer that asked for a retry")  # fmt: skip
    gaps = [(b.started - a.started) * 1000 for a, b in itertools.pairwise(case.seen)]
    if min(gaps) >= expect.min_retry_wait_ms:
        return []
    return _one("client.retry.after", f"the client retried after {min(gaps):.0f} ms; "
                f"retry-after asked for at least {expect.min_retry_wait_ms:.0f} ms")  # fmt: skip


@register(name="retry_count", rule="client.retry.count", scope="client")
def retry_count(case: ClientCase) -> list[Violation] | None:
    """The client sends the number of requests the retry policy allows, then stops."""
    if _hung(case):
        return None  # `call_returned` says what happened
    expect = case.step.expect
    if expect is None or expect.requests is None:
        return None
    if len(case.seen) == expect.requests:
        return []
    message = (
        f"the server saw {len(case.seen)} request(s) for this call; expected {expect.requests}"
    )
    retried = sorted({r.status for r in case.seen[:-1] if r.status in _NOT_RETRYABLE})
    if len(case.seen) > expect.requests and retried:
        message += (f": the client retried {', '.join(map(str, retried))}, which is not "
                    "retryable (the SDKs retry 408, 409, 429 and 5xx only)")  # fmt: skip
    return _one("client.retry.count", message)
