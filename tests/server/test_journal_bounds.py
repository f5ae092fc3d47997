"""The journal is bounded by bytes as well as entries: large bodies are kept cut, with a marker,
their size and their start; the oldest entries go when the bodies held pass the byte bound."""

from __future__ import annotations

import json

from mockserver import MockConfig, MockService
from mockserver.core.http import MockRequest
from mockserver.state.journal import CUT_BODY_START, JournalEntry
from mockserver.state.store import MemoryStore

MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"
HEADERS = {"authorization": "Bearer k", "content-type": "application/json"}


def _entry(n: int, size: int) -> JournalEntry:
    return JournalEntry(id=f"r{n}", started=0.0, method="POST", path="/v1/chat/completions",
                        endpoint="chat", dialect="native", headers={}, body_bytes=size)


def test_the_oldest_entries_go_when_the_bytes_held_pass_the_bound():
    store = MemoryStore(journal_size=100, journal_bytes=1000)
    for n in range(5):
        store.journal_append(_entry(n, 300))
    assert [e.id for e in store.journal_entries()] == ["r2", "r3", "r4"]
    store.journal_append(_entry(9, 5000))  # alone over the bound: kept, as the newest
    assert [e.id for e in store.journal_entries()] == ["r9"]
    store.journal_clear()
    store.journal_append(_entry(10, 900))
    assert [e.id for e in store.journal_entries()] == ["r10"]


def test_the_entry_bound_still_applies_and_frees_its_bytes():
    store = MemoryStore(journal_size=2, journal_bytes=1000)
    for n in range(3):
        store.journal_append(_entry(n, 400))
    store.journal_append(_entry(3, 150))
    assert [e.id for e in store.journal_entries()] == ["r2", "r3"]


def test_a_large_body_is_journaled_cut_with_its_size_and_whole_validation():
    service = MockService(MockConfig(port=0, journal_body_bytes=4096))
    filler = "x" * 100_000
    body = json.dumps({"model": MODEL, "messages": [{"role": "user", "content": filler}],
                       "unknown_field": 1}).encode()
    answer = service.handle(MockRequest("POST", "/v1/chat/completions", HEADERS, body, len(body)))
    assert answer.status == 200
    [entry] = service.store.journal_entries()
    assert entry.body_cut
    assert entry.body_bytes == len(body)
    assert entry.body["bytes"] == len(body)
    assert "cut" in entry.body["$cut"]
    assert entry.body["start"] == body[:CUT_BODY_START].decode()
    assert [w.rule for w in entry.validation.warnings] == ["field.unknown"]
    assert entry.held_bytes == CUT_BODY_START
    small = json.dumps({"model": MODEL, "messages": [{"role": "user", "content": "hi"}]}).encode()
    service.handle(MockRequest("POST", "/v1/chat/completions", HEADERS, small, len(small)))
    kept = service.store.journal_entries()[-1]
    assert kept.body["messages"][0]["content"] == "hi"
    assert not kept.body_cut
