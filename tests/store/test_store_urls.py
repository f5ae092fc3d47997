"""A store URL that cannot be a Redis server's is refused in one line, from the CLI and the
Python API alike (redis-py's own reading raised a bare ValueError, or used database 0)."""

from __future__ import annotations

import pytest

from mockserver import MockConfig, MockService
from mockserver.cli.main import main
from mockserver.state.store import StoreConfigError, open_store

BAD_URLS = [
    ("redis://[::1", "Invalid IPv6 URL"),
    ("redis://127.0.0.1:99999/0", "Port out of range"),
    ("redis://127.0.0.1:x/0", "Port could not be cast"),
    ("redis://127.0.0.1:6379/abc", "the database is a number"),
]


@pytest.mark.parametrize(("url", "reason"), BAD_URLS)
def test_open_store_refuses_a_url_redis_cannot_read(url: str, reason: str) -> None:
    with pytest.raises(StoreConfigError, match=reason):
        open_store(url)


def test_the_python_api_says_the_same() -> None:
    with pytest.raises(StoreConfigError, match="the database is a number"):
        MockService(MockConfig(store_url="redis://127.0.0.1:6379/abc"))


def test_serve_refuses_a_database_that_is_no_number_in_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["serve", "--port", "0", "--store", "redis://127.0.0.1:6379/abc"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "the database is a number" in err


def test_a_url_redis_can_read_opens_a_store() -> None:
    store = open_store("redis://127.0.0.1:6379/3")  # no connection until the first command
    assert getattr(store, "shared", False)
