"""`check server --base-url URL`: a URL that cannot be a server's root is a usage error, one line
and exit 2, refused before any request (so every case here runs offline)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockserver.cli.main import main

LONG_LABEL = "a" * 64


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("http://xn--a.com", "the host 'xn--a.com' is not a valid internationalised name"),
        ("http://xn--", "the host 'xn--' is not a valid internationalised name"),
        ("http://", "the URL names no host"),
        ("http://:80", "the URL names no host"),
        ("http://[::1", "not a valid URL"),
        ("http://[zz]", "not a valid URL (Invalid IPv6 address"),
        ("http://127.0.0.1:99999999999999999999", "port 99999999999999999999 is not from 1 to 65535"),
        ("http://127.0.0.1:65536", "port 65536 is not from 1 to 65535"),
        ("http://127.0.0.1:0", "port 0 is not from 1 to 65535"),
        ("http://127.0.0.1:-1", "port -1 is not from 1 to 65535"),
        ("http://user:secret@127.0.0.1:1", "without user:password@"),
        ("http://☃.example", "not a valid URL (Invalid IDNA hostname"),
        ("http://a b", "the host 'a%20b' is not a host name"),
        ("http://a..b", "the host 'a..b' is not a host name"),
        ("http://.", "the host '.' is not a host name"),
        (f"http://{LONG_LABEL}.example", "is not a host name (labels of 1 to 63"),
        ("http://127.0.0.1:1/?", "without ?query or #fragment"),
        ("http://127.0.0.1:1/#", "without ?query or #fragment"),
        ("http://127.0.0.1:1\n", "not a valid URL (Invalid non-printable ASCII character"),
        ("ftp://127.0.0.1", "give an http:// or https:// URL"),
        ("http://127.0.0.1:1/" + "a" * 5000, "5,019 characters; give the server's root"),
        ("http://" + "a" * 5000 + ".com", "5,011 characters; give the server's root"),
    ],
)
def test_a_url_that_cannot_be_a_root_is_one_line_and_exit_2(
    url: str, said: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # xn--a.com was an idna InvalidCodepoint traceback, a huge port an OverflowError and a
    # 64-character label a UnicodeError from the socket, each exit 1 ("does not conform")
    code = main(["check", "server", "--base-url", url, "--scenarios", "seed-example",
                 "--examples", "0", "--report-dir", str(tmp_path), "--quiet"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1, err
    assert err.startswith("llama-contract check: --base-url '")
    assert said in err
    assert len(err) < 400  # a long URL is cut, never repeated whole
    assert "secret" not in err
    assert not (tmp_path / "report.json").exists()


def test_a_host_name_with_its_root_dot_and_an_upper_case_scheme_are_accepted() -> None:
    from mockserver.cli.base_url import base_url_problem

    assert base_url_problem("HTTP://localhost.:4010/v1") == ""
    assert base_url_problem("https://xn--bcher-kva.example:443") == ""
    assert base_url_problem("http://my_service:4010") == ""
    assert base_url_problem("http://[::1]:4010") == ""
