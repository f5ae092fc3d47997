"""The same behaviour from both stores: the in-memory default and Redis (a real redis-server)."""

from __future__ import annotations

import threading

import pytest

from contract.violations import ValidationResult, Violation
from mockserver.state.journal import JournalEntry
from mockserver.state.redis_store import RedisStore
from mockserver.state.store import MemoryStore, Store, StoreUnavailable


@pytest.fixture(params=["memory", "redis"])
def store(request: pytest.FixtureRequest) -> Store:
    if request.param == "memory":
        return MemoryStore(journal_size=3)
    return RedisStore(request.getfixturevalue("redis_url"), journal_size=3)


def _entry(n: int, **extra: object) -> JournalEntry:
    return JournalEntry(id=f"req_{n}", started=1.5, method="POST", path="/v1/chat/completions",
                        endpoint="chat", dialect="native", headers={"a": "b"}, body={"n": n},
                        status=200, session="s1", extra=dict(extra))


def test_journal_is_capped_and_keeps_order(store):
    for n in range(5):
        store.journal_append(_entry(n))
    assert [e.id for e in store.journal_entries()] == ["req_2", "req_3", "req_4"]
    store.journal_clear()
    assert store.journal_entries() == []


def test_journal_entries_come_back_whole(store):
    result = ValidationResult.of([Violation("r.x", "/a", "bad", "warning", 2)])
    entry = _entry(1, self_check={"ok": True})
    entry.validation = result
    store.journal_append(entry)
    (back,) = store.journal_entries()
    assert back.to_dict() == entry.to_dict()
    assert back.validation == result
    assert back.session == "s1"


def test_windows_count_and_peek_in_one_step(store):
    (total, left), (peeked, peek_left), read = store.count_and_peek("k", 1, "fresh", window_s=60)
    assert read == ()
    assert total == 1
    assert 59 < left <= 60
    assert (peeked, peek_left) == (0, 60)  # a window not yet begun: nothing counted, all time left
    (total, left), (peeked, _), _ = store.count_and_peek("k", 4, "k", window_s=60)
    assert total == 5
    assert 0 < left <= 60
    assert peeked == 5  # the peek reads after the count
    assert store.count_and_peek("other", 2, "k", window_s=60)[0][0] == 2
    assert store.count_and_peek("other", 0, "k", window_s=60)[1][0] == 5


def test_count_and_peek_reads_values_in_the_same_step(store):
    store.update("fault:x", lambda _old: {"a": [1, "é"]})
    store.update_many(("kept:token", "scenario:s"), lambda _old: ["t1", 0])
    keys = ("missing", "fault:x", "kept:token", "scenario:s", "also-missing")
    _, _, read = store.count_and_peek("rpm:k", 1, "tpm:k", window_s=60, read=keys)
    assert read == (None, {"a": [1, "é"]}, "t1", 0, None)  # none where there is none, in order


def test_a_count_lands_by_the_next_journal_append_at_the_latest(store):
    store.count("tpm:k", 30, window_s=60)
    store.count("tpm:k", 12, window_s=60)
    store.journal_append(_entry(1))  # a shared store sends the counts with it
    assert _peek(store, "tpm:k") == 42
    assert [e.id for e in store.journal_entries()] == ["req_1"]


def test_counts_never_followed_by_an_append_are_not_held_without_bound(store):
    for _ in range(200):
        store.count("tpm:k", 1, window_s=60)
    assert _peek(store, "tpm:k") >= 200 - 64  # what is held waits for the next append
    store.journal_append(_entry(1))
    assert _peek(store, "tpm:k") == 200


def _peek(store, key):
    return store.count_and_peek("unrelated", 0, key, window_s=60)[1][0]


def test_update_get_and_clear_by_prefix(store):
    assert store.get("scenario:a:1", "none") == "none"
    assert store.update("scenario:a:1", lambda old: (old or 0) + 1) == 1
    assert store.update("scenario:a:1", lambda old: (old or 0) + 1) == 2
    store.update("scenario:b:1", lambda _old: [1, 2])
    store.update("fault:x", lambda _old: 7)
    store.count_and_peek("rpm:k", 3, "rpm:k", window_s=60)
    store.clear_state("scenario:a:")
    assert store.get("scenario:a:1") is None
    assert list(store.get("scenario:b:1")) == [1, 2]
    assert _peek(store, "rpm:k") == 3  # a prefix leaves the windows
    store.clear_state()
    assert store.get("scenario:b:1") is None
    assert store.get("fault:x") is None
    assert _peek(store, "rpm:k") == 0


def test_updates_from_many_threads_lose_nothing(store):
    def bump() -> None:
        for number in range(50):
            store.update("fault:count", lambda old: (old or 0) + 1)
            store.count_and_peek("rpm:k", 1, "tpm:k", window_s=60)
            store.count("tpm:k", 2, window_s=60)
            store.journal_append(_entry(number))

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.get("fault:count") == 200
    assert _peek(store, "rpm:k") == 200
    assert _peek(store, "tpm:k") == 400  # each thread's counts went with its own appends


def test_two_redis_stores_on_one_server_are_one_store(redis_url):
    first, second = RedisStore(redis_url), RedisStore(redis_url)
    first.journal_append(_entry(1))
    first.update("fault:k", lambda old: (old or 0) + 1)
    second.update("fault:k", lambda old: (old or 0) + 1)
    second.count_and_peek("rpm:k", 1, "tpm:k", window_s=60)
    assert [e.id for e in second.journal_entries()] == ["req_1"]
    assert first.get("fault:k") == 2
    assert first.count_and_peek("rpm:k", 1, "tpm:k", window_s=60)[0][0] == 2


def test_redis_keys_are_namespaced_and_expire(redis_server, redis_url):
    store = RedisStore(redis_url)
    store.journal_append(_entry(1))
    store.update("fault:k", lambda _old: 1)
    store.count_and_peek("rpm:k", 1, "tpm:k", window_s=60)
    client = redis_server.client()
    names = sorted(name.decode() for name in client.keys("*"))
    assert names == ["llama-mock:journal:", "llama-mock:v:fault:k", "llama-mock:w:rpm:k"]
    for name in names:
        assert client.ttl(name) > 0, name
    assert client.ttl("llama-mock:w:rpm:k") <= 60


def test_a_stopped_redis_raises_store_unavailable_then_recovers(own_redis):
    store = RedisStore(own_redis.url)
    store.update("fault:k", lambda _old: 1)
    own_redis.stop()
    with pytest.raises(StoreUnavailable, match="unreachable"):
        store.update("fault:k", lambda old: old + 1)
    with pytest.raises(StoreUnavailable):
        store.journal_entries()
    own_redis.start()
    assert store.update("fault:k", lambda old: (old or 0) + 1) == 1  # a fresh server: empty


def test_several_keys_read_and_changed_in_one_step(store):
    assert store.get_many(["a", "b"]) == [None, None]
    assert store.update_many(["a", "b"], lambda old: [old[0] or 1, [old[1], 2]]) == [1, [None, 2]]
    assert store.get_many(["b", "a", "c"]) == [[None, 2], 1, None]
    with pytest.raises(ValueError, match="1 values for 2 keys"):
        store.update_many(["a", "b"], lambda old: [3])
    assert store.get_many(["a"]) == [1]


def test_kept_keys_are_settings_a_reset_leaves(store):
    store.update_many(["kept:x", "state"], lambda old: [{"v": 1}, 2])
    store.clear_state()
    assert store.get_many(["kept:x", "state"]) == [{"v": 1}, None]
    store.clear_state("kept:")
    assert store.get("kept:x") is None


def test_a_window_is_counted_in_one_round_trip_and_survives_a_script_flush(
    redis_server, redis_url
):
    """The counting script is called by its hash: no SCRIPT command per count (redis-py's
    registered scripts send SCRIPT EXISTS before every pipeline), and a server that lost it
    (SCRIPT FLUSH, a restart) gets it again without a count lost or made twice."""
    store = RedisStore(redis_url)
    client = redis_server.client()
    client.config_resetstat()
    for _ in range(20):
        store.count_and_peek("k", 1, "k", window_s=60)
    calls = {name: stat["calls"] for name, stat in client.info("commandstats").items()}
    assert calls.get("cmdstat_evalsha") == 20
    assert calls.get("cmdstat_script", 0) <= 1  # the one load, when this server lacked it
    client.script_flush()
    assert store.count_and_peek("k", 1, "k", window_s=60)[0][0] == 21
    assert store.count_and_peek("k", 1, "k", window_s=60)[0][0] == 22
    client.close()
    store.close()
