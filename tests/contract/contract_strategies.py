"""Small hypothesis strategies for the contract's own tests: near-valid documents and their mutants.

(The product's strategies live in `contract.strategies`; these stay deliberately small and local,
so that the validators are not tested only with data shaped by the same hands as the schemas.)
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

MODELS = ["Llama-4-Maverick-17B-128E-Instruct-FP8", "Llama-3.3-70B-Instruct", "other-model", ""]
NAMES = ["get_weather", "a", "a" * 64, "a" * 65, "bad name", "name\n", "", "x-y_z9"]
ROLES = ["system", "user", "assistant", "tool", "wizard"]

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(-5, 5, allow_nan=False)
    | st.text(max_size=6)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)
short_text = st.text(max_size=12)
text_items = st.lists(st.builds(lambda t: {"type": "text", "text": t}, short_text), max_size=2)
images = st.builds(
    lambda url: {"type": "image_url", "image_url": {"url": url}},
    st.sampled_from(["https://x.test/a.png", "data:image/png;base64,iVBORw0KGgo=", "http://x"]),
)
tool_calls = st.lists(
    st.builds(
        lambda i, name, args: {"id": i, "function": {"name": name, "arguments": args}},
        st.sampled_from(["c1", "c2"]),
        st.sampled_from(NAMES),
        st.sampled_from(['{"city":"Paris"}', "{}", "not json"]),
    ),
    max_size=2,
)


@st.composite
def messages(draw: Any) -> dict[str, Any]:
    role = draw(st.sampled_from(ROLES))
    message: dict[str, Any] = {"role": role}
    if role == "user":
        message["content"] = draw(
            short_text
            | st.lists(
                st.one_of(
                    text_items.map(lambda x: x[0] if x else {"type": "text", "text": ""}), images
                ),
                max_size=3,
            )
        )
    elif role == "assistant":
        message["content"] = draw(
            short_text | st.builds(lambda t: {"type": "text", "text": t}, short_text)
        )
        message["stop_reason"] = draw(st.sampled_from(["stop", "tool_calls", "length"]))
        message["tool_calls"] = draw(tool_calls)
    elif role == "tool":
        message["tool_call_id"] = draw(st.sampled_from(["c1", "c2", "c3"]))
        message["content"] = draw(short_text | text_items)
    else:
        message["content"] = draw(short_text | text_items)
    return message


@st.composite
def chat_requests(draw: Any) -> dict[str, Any]:
    request: dict[str, Any] = {
        "model": draw(st.sampled_from(MODELS)),
        "messages": draw(st.lists(messages(), min_size=1, max_size=4)),
    }
    optional = {
        "max_completion_tokens": st.integers(0, 5000),
        "temperature": st.floats(-0.5, 1.5, allow_nan=False),
        "top_p": st.floats(0, 1.2, allow_nan=False),
        "top_k": st.integers(-2, 100),
        "repetition_penalty": st.floats(0.5, 2.5, allow_nan=False),
        "stream": st.booleans(),
        "user": short_text,
        "tools": st.lists(
            st.builds(
                lambda name, params: {
                    "type": "function",
                    "function": {"name": name, "parameters": params},
                },
                st.sampled_from(NAMES),
                st.sampled_from([{"type": "object"}, {"type": "objekt"}, {}]),
            ),
            max_size=2,
        ),
        "tool_choice": st.sampled_from(["none", "auto", "required", "sometimes"])
        | st.builds(
            lambda n: {"type": "function", "function": {"name": n}}, st.sampled_from(NAMES)
        ),
        "response_format": st.sampled_from(
            [
                {"type": "text"},
                {"type": "json_object"},
                {"type": "json_schema", "json_schema": {"name": "a", "schema": {"type": "object"}}},
            ]
        ),
        "max_tokens": st.integers(1, 10),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            request[key] = draw(strategy)
    return request


def _slots(document: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) pair of a document, to pick a place to mutate."""
    found: list[tuple[Any, Any]] = []
    stack = [document]
    while stack:
        node = stack.pop()
        pairs = (
            node.items()
            if isinstance(node, dict)
            else enumerate(node)
            if isinstance(node, list)
            else []
        )
        for key, value in pairs:
            found.append((node, key))
            stack.append(value)
    return found


@st.composite
def mutated(draw: Any, documents: st.SearchStrategy[Any], *, rounds: int = 2) -> Any:
    """A document, possibly with a few values replaced, keys deleted or unknown keys added."""
    document = copy.deepcopy(draw(documents))
    for _ in range(draw(st.integers(0, rounds))):
        slots = _slots(document)
        if not slots:
            break
        container, key = draw(st.sampled_from(slots))
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            container[key] = draw(json_values)
        elif action == "delete" and isinstance(container, dict):
            del container[key]
        elif isinstance(container, dict):
            container[draw(st.sampled_from(["extra", "temprature", "name", "type"]))] = draw(
                json_values
            )
    return document


metric_names = st.sampled_from(["num_completion_tokens", "num_prompt_tokens", "num_total_tokens"])
metrics = st.lists(
    st.fixed_dictionaries(
        {"metric": metric_names, "value": st.integers(0, 100) | st.floats(0, 100, allow_nan=False)},
        optional={"unit": st.just("tokens")},
    ),
    max_size=3,
)
native_responses = st.fixed_dictionaries(
    {
        "completion_message": st.fixed_dictionaries(
            {"role": st.just("assistant")},
            optional={
                "content": short_text
                | st.builds(lambda t: {"type": "text", "text": t}, short_text),
                "stop_reason": st.sampled_from(["stop", "tool_calls", "length"]),
                "tool_calls": tool_calls,
            },
        )
    },
    optional={"id": short_text, "metrics": metrics},
)
deltas = st.one_of(
    st.builds(lambda t: {"type": "text", "text": t}, short_text),
    st.fixed_dictionaries(
        {
            "type": st.just("tool_call"),
            "function": st.fixed_dictionaries(
                {}, optional={"name": st.sampled_from(NAMES), "arguments": short_text}
            ),
        },
        optional={"id": st.sampled_from(["c1", "c2"])},
    ),
)
native_chunks = st.fixed_dictionaries(
    {
        "event": st.fixed_dictionaries(
            {
                "event_type": st.sampled_from(["start", "progress", "complete", "metrics"]),
                "delta": deltas,
            },
            optional={
                "stop_reason": st.sampled_from(["stop", "tool_calls", "length"]),
                "metrics": metrics,
            },
        )
    },
    optional={"id": short_text},
)
