"""Client checks: a client sends conforming requests, surfaces errors and retries as the API
asks; what it hands its user is graded in `client_results.py`.

Each check grades one `ClientCase`: the step that answered, its `expect`, and the requests the
server saw.
"""

from __future__ import annotations

import itertools

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


def one_violation(rule: str, message: str, path: str = "") -> list[Violation]:
    return [Violation(rule, path, message)]


def content_graded(case: ClientCase) -> bool:
    """A chat call the step answered with what the checks of its content grade: not an error it
    expected, not a request the scenario refused as matching no step, not a call that hung."""
    return (case.conversation.operation == "chat" and not error_expected(case)
            and refused_answer(case) is None and not _hung(case))  # fmt: skip


def _hung(case: ClientCase) -> bool:
    """Whether the call did not return within the call timeout (`call_returned` says so)."""
    return isinstance(case.outcome.error, CallTimedOut)


def scripted_answer(case: ClientCase) -> Respond | None:
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
        return one_violation("client.request.matched", f"the server saw {sessionless} request(s) of this "
                    f"call without its session header: {_SEND_HEADERS}")  # fmt: skip
    if not case.seen:
        if case.outcome.error is not None:
            return None  # it raised before sending (or hung): what it raised is graded
        return one_violation("client.request.matched", "the server saw no request of this call carrying "
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
    return one_violation("client.request.matched", message)


@register(name="call_returned", rule="client.call.timeout", scope="client")
def call_returned(case: ClientCase) -> list[Violation] | None:
    """The call returns within the call timeout: the client answers or raises, it does not hang."""
    if not _hung(case):
        return None
    status = _final_status(case)
    seen = f"the server's last answer was {status}; " if status is not None else (
        "the server saw no request of the call; ")  # fmt: skip
    return one_violation("client.call.timeout", f"{seen}{case.outcome.error}")


@register(name="error_surfaced", rule="client.error.surfaced", scope="client")
def error_surfaced(case: ClientCase) -> list[Violation] | None:
    """An error answer (or a broken stream) reaches the user as an error."""
    if not error_expected(case) or _hung(case):
        return None
    error = case.outcome.error
    if isinstance(error, PROGRAMMING_ERRORS):
        return one_violation("client.error.surfaced", f"the client raised {type(error).__name__}: "
                    f"{str(error)[:300]}, a programming error, not a surfaced error "
                    "answer")  # fmt: skip
    if error is not None:
        return []
    return one_violation("client.error.surfaced", f"{_last_answer(case)} and the client returned "
                "it as a result instead of raising")  # fmt: skip


def _last_answer(case: ClientCase) -> str:
    """What the server's last answer of the call was, naming a stream it cut or failed on purpose
    (a 200 whose body broke off, which the status alone does not say)."""
    if not case.seen:
        return "the server saw no request of the call"
    last = case.seen[-1]
    step = next((step for step in case.scenario.steps if step.name == last.step), None)
    for fault in step.faults if step is not None else ():
        if fault.name == "truncate_stream":
            return (f"the server cut the stream after {fault.integer('after')} event(s) (step "
                    f"{last.step}: truncate_stream; a {last.status} whose body never ends)")
        if fault.name == "stream_error":
            return (f"the stream failed after {fault.integer('after')} event(s) with an error "
                    f"line of status {fault.integer('status')} (step {last.step}: stream_error)")
    return f"the server's last answer was {last.status}"


@register(name="no_unexpected_error", rule="client.error.unexpected", scope="client")
def no_unexpected_error(case: ClientCase) -> list[Violation] | None:
    """The client does not raise on an answer that conforms."""
    if error_expected(case) or refused_answer(case) is not None or _hung(case):
        return None
    error = case.outcome.error
    if error is None:
        return []
    return one_violation("client.error.unexpected", f"the client raised {type(error).__name__}: "
                f"{str(error)[:300]}")  # fmt: skip


@register(name="error_status", rule="client.error.status", scope="client")
def error_status(case: ClientCase) -> list[Violation] | None:
    """An error the client raises for an error answer carries the status the server sent (when
    it carries one: the SDKs' `status_code`)."""
    if not error_expected(case) or _hung(case):
        return None
    error = case.outcome.error
    said = getattr(error, "status_code", None)
    sent = _final_status(case)
    if not isinstance(said, int) or isinstance(said, bool) or sent is None or sent < 400:
        return None
    if said == sent:
        return []
    return one_violation("client.error.status", f"the client raised {type(error).__name__} with status "
                f"{said}; the server's last answer was {sent}")  # fmt: skip


@register(name="retry_after", rule="client.retry.after", scope="client")
def retry_after(case: ClientCase) -> list[Violation] | None:
    """A retry waits at least as long as retry-after asked."""
    if _hung(case):
        return None  # `call_returned` says what happened
    expect = case.step.expect
    if expect is None or expect.min_retry_wait_ms is None:
        return None
    if len(case.seen) < 2:
        return one_violation("client.retry.count", f"{len(case.seen)} request(s): the client did not "
                    "retry an answer that asked for a retry")  # fmt: skip
    gaps = [(b.started - a.started) * 1000 for a, b in itertools.pairwise(case.seen)]
    if min(gaps) >= expect.min_retry_wait_ms:
        return []
    return one_violation("client.retry.after", f"the client retried after {min(gaps):.0f} ms; "
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
    return one_violation("client.retry.count", message)
