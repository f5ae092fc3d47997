"""Property: whatever scenario documents and fault headers a client sends, the mock answers a 2xx
or a JSON 4xx (a 5xx only when a fault asked for one), and stays healthy after."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from contract.scenarios.faults import FAULT_KINDS
from mockserver import MockConfig, create_app
from mockserver.adapters.flask_app import service_of
from mockserver.scenarios.fault_streams import ConnectionCut

AUTH = {"Authorization": "Bearer key"}
CHAT = {
    "model": "Llama-4-Maverick-17B-128E-Instruct-FP8",
    "messages": [{"role": "user", "content": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"}],
}
SETTINGS = settings(
    max_examples=120, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

texts = st.text(max_size=24)
odd_numbers = st.sampled_from(
    ["0", "-1", "1e-300", "1e-9", "1e309", "-0", "nan", "inf", "600000", "99999999999999999999",
     "0.5", "1", "3", "100001", "2.5e3", ""]
)
fault_names = st.sampled_from([*sorted(FAULT_KINDS), "bogus", ""])


@st.composite
def fault_texts(draw: st.DrawFn) -> str:
    name = draw(fault_names)
    kind = FAULT_KINDS.get(name)
    keys = [p.name for p in kind.params] if kind else []
    parts = [name]
    wrong = draw(st.sampled_from(["", "", "", "x"]))
    for key in draw(st.lists(st.sampled_from([*keys, wrong or name]), max_size=3, unique=True)):
        value = draw(st.one_of(odd_numbers, texts.map(json.dumps)))
        parts.append(f"{key}={value}")
    return "; ".join(parts)


regexes = st.one_of(
    st.sampled_from([r"(aa?)+$", r"(a?){25}a{25}", r"(\w\d?)+$", r"((a{0,10}){0,10}){0,10}$",
                     r"(?<=a)b", r"(", r"\ud800", r"(x{1000}){1000}", r"a{1001}"]),
    texts,
)
header_values = st.one_of(texts, st.sampled_from(["a\r\nb", "\x00", "caf\u00e9", "\u20ac"]))
responds = st.fixed_dictionaries(
    {},
    optional={
        "text": st.one_of(texts, st.just("x" * 70_000)),
        "status": st.sampled_from([200, 200, 200, 204, 302, 400, 429, 500, 599, 600]),
        "headers": st.dictionaries(
            st.sampled_from(["x-a", "x-b", "Content-Length", "transfer-encoding", "bad name"]),
            header_values, max_size=2,
        ),
        "pacing": st.fixed_dictionaries(
            {}, optional={"ttft_ms": st.sampled_from([0, 1, 60_000, 600_000, 1e308]),
                          "tokens_per_second": st.sampled_from([1e-300, 0, 1, 1e9])},
        ),
        "body": st.one_of(texts, st.dictionaries(texts, texts, max_size=2)),
    },
)
steps = st.fixed_dictionaries(
    {"respond": responds},
    optional={
        "match": st.fixed_dictionaries(
            {}, optional={"last_user_message": st.fixed_dictionaries({"regex": regexes}),
                          "stream": st.booleans()},
        ),
        "fault": fault_texts(),
        "times": st.integers(-1, 3),
    },
)
scenario_documents = st.fixed_dictionaries(
    {"name": st.one_of(st.from_regex(r"[a-z]{1,8}", fullmatch=True), texts),
     "steps": st.lists(steps, min_size=1, max_size=3)},
    optional={"when_done": st.sampled_from(["repeat_last", "restart", "fail", "x"])},
)


def _is_json_error(answer: Any) -> bool:
    if answer.status_code < 400:
        return True
    document = answer.get_json(silent=True)
    return isinstance(document, dict) and ("detail" in document or "error" in document)


def _injected(answer: Any, fault: str | None) -> bool:
    """A 5xx the client asked for: through a fault, or a scenario's error status."""
    text = answer.get_data(as_text=True)
    return "mock server error" not in text and (fault is not None or answer.status_code < 600)


@SETTINGS
@given(document=scenario_documents, fault=st.one_of(st.none(), fault_texts()),
       stream=st.booleans())
def test_hostile_scenarios_and_faults_get_a_2xx_or_a_json_4xx(
    document: dict[str, Any], fault: str | None, stream: bool
) -> None:
    app = create_app(MockConfig())
    service = service_of(app)
    service.scenarios.sleep = service.chat_handler.sleep = lambda seconds: None  # waits are bounded
    client = app.test_client()
    loaded = client.post("/_mock/scenarios", json=document)
    assert loaded.status_code in (200, 400), loaded.get_data()[:300]
    assert _is_json_error(loaded)
    faults = client.post("/_mock/faults", json={"fault": fault or "", "times": 1})
    assert faults.status_code in (200, 400), faults.get_data()[:300]
    assert _is_json_error(faults)
    headers = {**AUTH, **({"x-mock-fault": fault} if fault else {})}
    chat = client.post("/v1/chat/completions", json={**CHAT, "stream": stream}, headers=headers)
    with contextlib.suppress(ConnectionCut):  # truncate_stream drops the connection on purpose
        chat.get_data()  # a stream runs to its end here
    event(f"scenario {loaded.status_code}, fault {faults.status_code}, chat {chat.status_code}")
    if chat.status_code >= 500:
        assert _injected(chat, fault), chat.get_data()[:300]
    elif chat.status_code >= 400:
        assert _is_json_error(chat) or chat.get_data() == b"", chat.get_data()[:300]
    assert client.get("/health").status_code == 200
    assert service_of(app).answer_problems == []
