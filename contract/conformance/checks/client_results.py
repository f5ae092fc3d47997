"""Client checks of what the client hands its user: the text, tool calls, document and stop
reason the server sent, whole and unchanged."""

from __future__ import annotations

import json
from typing import Any

from contract.conformance.checks.client import content_graded, one_violation, scripted_answer
from contract.conformance.checks.client_model import ClientCase
from contract.conformance.checks.registry import register
from contract.violations import Violation


@register(name="text_intact", rule="client.text.intact", scope="client")
def text_intact(case: ClientCase) -> list[Violation] | None:
    """The text reaches the user exactly as the server sent it."""
    expect, respond = case.step.expect, scripted_answer(case)
    wanted = respond.text if respond is not None and respond.document is None else None
    contains = expect.text_contains if expect is not None else None
    regex = expect.text_regex if expect is not None else None
    if not content_graded(case):
        return None
    if wanted is None and contains is None and regex is None:
        return None
    text = case.outcome.text or ""
    if wanted is not None and text != wanted:
        return one_violation("client.text.intact", f"the client returned {text[:200]!r}; the server "
                    f"sent {wanted[:200]!r}")  # fmt: skip
    if contains is not None and contains not in text:
        return one_violation("client.text.intact", f"the text {text[:200]!r} lacks {contains!r}")
    if regex is not None and not regex.search(text):
        return one_violation("client.text.intact", f"the text {text[:200]!r} does not match "
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
    if not content_graded(case):
        return None
    expect, respond = case.step.expect, scripted_answer(case)
    got = case.outcome.tool_calls
    names = [call.name for call in got]
    if respond is not None and respond.tool_calls:
        sent = [(c.name, _arguments(c.arguments), c.id) for c in respond.tool_calls]
        if len(got) != len(sent):
            return one_violation("client.tool_calls.intact", f"the client returned {len(got)} tool "
                        f"call(s) {names}; the server sent {len(sent)}: "
                        f"{[name for name, _, _ in sent]}")  # fmt: skip
        for index, (call, (name, arguments, call_id)) in enumerate(zip(got, sent, strict=True)):
            if call.name != name or call.parsed_arguments() != arguments:
                return one_violation("client.tool_calls.intact", f"tool call {index}: the client returned "
                            f"{call.name}({call.arguments!r}); the server sent {name} with "
                            f"{json.dumps(arguments)}", f"/tool_calls/{index}")  # fmt: skip
            if call_id is not None and call.id is not None and call.id != call_id:
                return one_violation("client.tool_calls.intact", f"tool call {index}: id {call.id!r}; "
                            f"the server sent {call_id!r}", f"/tool_calls/{index}/id")  # fmt: skip
        return []
    if expect is None or (not expect.tools_called and expect.tool_calls is None):
        return None
    missing = [name for name in expect.tools_called if name not in names]
    if missing:
        return one_violation("client.tool_calls.intact", f"no call of {missing} among the client's tool "
                    f"calls {names}")  # fmt: skip
    if expect.tool_calls is not None and len(got) != expect.tool_calls:
        return one_violation("client.tool_calls.intact", f"the client returned {len(got)} tool call(s); "
                    f"expected {expect.tool_calls}")  # fmt: skip
    return []


@register(name="document_intact", rule="client.document.intact", scope="client")
def document_intact(case: ClientCase) -> list[Violation] | None:
    """Structured output reaches the user as the document the server sent."""
    if not content_graded(case):
        return None
    expect, respond = case.step.expect, scripted_answer(case)
    sent = respond.document if respond is not None else None
    if sent is None and (expect is None or expect.document is None):
        return None
    document = case.outcome.document
    if document is None:
        try:
            document = json.loads(case.outcome.text or "")
        except ValueError:
            if sent is not None or (expect is not None and expect.document):
                return one_violation("client.document.intact", f"the client's text "
                            f"{(case.outcome.text or '')[:200]!r} is not the JSON document "
                            "the server sent")  # fmt: skip
            return []
    if sent is not None and document != sent:
        return one_violation("client.document.intact", f"the client returned {json.dumps(document)[:200]}; "
                    f"the server sent {json.dumps(sent)[:200]}")  # fmt: skip
    return []


@register(name="stop_reason", rule="client.stop_reason", scope="client")
def stop_reason(case: ClientCase) -> list[Violation] | None:
    """The stop reason reaches the user as the server sent it."""
    if not content_graded(case):
        return None
    expect, respond = case.step.expect, scripted_answer(case)
    wanted = expect.stop_reason if expect is not None else None
    said = "the scenario expects"
    if wanted is None and respond is not None and case.outcome.stop_reason is not None:
        wanted, said = respond.resolved_stop_reason, "the mock server sent"
    if wanted is None:
        return None
    if case.outcome.stop_reason == wanted:
        return []
    return one_violation("client.stop_reason", f"the client returned stop reason "
                f"{case.outcome.stop_reason!r}; {said} {wanted!r}")  # fmt: skip
