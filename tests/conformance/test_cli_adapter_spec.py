"""`check client --adapter SPEC` naming something that is not an adapter is a usage error: exit 2
and one line naming the spec and what an adapter is, never exit 1 (a client that does not
conform) after a traceback."""

from __future__ import annotations

import inspect
import itertools
from pathlib import Path

import pytest

from contract.conformance.checks import ClientOutcome, Conversation
from contract.scenarios.loading import builtin_scenario
from mockserver.cli.main import main
from mockserver.conformance.adapter_spec import ADAPTER_SHAPE, AdapterError, resolve_adapter
from mockserver.conformance.adapters import llama_api_client
from mockserver.conformance.client_runner import run_client_checks


def _check_client(spec: str, report_dir: Path, *flags: str) -> int:
    return main(["check", "client", "--adapter", spec, "--report-dir", str(report_dir), "--quiet",
                 *(flags or ("--scenarios", "seed-example"))])  # fmt: skip


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("NUMBER", "not_adapters.NUMBER is a value of type int, not a function"),
        ("AdapterClass", "not_adapters.AdapterClass is a class"),
        ("two_arguments", "not_adapters.two_arguments is a callable with the signature "
                          "(base_url: 'str', api_key: 'str') -> 'ClientOutcome'"),
        ("asynchronous", "not_adapters.asynchronous is an async function"),
        ("ClientOutcome", "not_adapters.ClientOutcome is a class"),
        ("pytest", "not_adapters.pytest is a module"),
    ],
)
def test_a_spec_naming_what_cannot_be_an_adapter_exits_2_before_any_call(
    name: str, what: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    import not_adapters

    monkeypatch.setattr(not_adapters, "pytest", pytest, raising=False)
    assert _check_client(f"not_adapters:{name}", tmp_path) == 2  # it was 1, after a traceback
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith(f"llama-contract check: --adapter 'not_adapters:{name}': {what}")
    assert err.rstrip().endswith(f"an adapter is {ADAPTER_SHAPE}")
    assert not (tmp_path / "report.json").exists()


@pytest.mark.parametrize("flags", [(), ("--no-scenarios", "--examples", "2")])
@pytest.mark.parametrize(("name", "returned"), [("returns_none", "None"),
                                                ("returns_text", "a value of type str")])  # fmt: skip
def test_an_adapter_returning_no_outcome_exits_2_naming_what_it_returned(
    name: str, returned: str, flags: tuple[str, ...], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    assert _check_client(f"not_adapters:{name}", tmp_path, *flags) == 2
    err = capsys.readouterr().err
    assert err == (f"llama-contract check: --adapter 'not_adapters:{name}': the adapter returned "
                   f"{returned}, not a ClientOutcome" + (" (a missing return?)" if returned == "None"
                                                         else "") + "\n")  # fmt: skip
    assert not (tmp_path / "report.json").exists()


@pytest.mark.parametrize(("flags", "case"), [((), "seed-example/answer"),
                                             (("--no-scenarios", "--examples", "2"),
                                              "generated/exchange")])  # fmt: skip
def test_an_adapter_that_raises_exits_2_naming_the_exception_where_and_on_which_call(
    flags: tuple[str, ...], case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It was the adapter's traceback and exit 1, which CI reads as "does not conform": a
    raising adapter is as unusable as one returning None, so the run stops as it does then."""
    import not_adapters

    assert _check_client("not_adapters:raises", tmp_path, *flags) == 2
    err = capsys.readouterr().err
    line = inspect.getsourcelines(not_adapters.raises)[1] + 3
    assert err == ("llama-contract check: --adapter 'not_adapters:raises': the adapter raised "
                   f"KeyError: 'text' ({not_adapters.__file__}, line {line}) on {case}; an "
                   "adapter returns the client's errors in ClientOutcome.error\n")  # fmt: skip
    assert not (tmp_path / "report.json").exists()


def test_a_raising_adapter_s_long_message_is_cut_to_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _check_client("not_adapters:raises_long", tmp_path) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "the adapter raised RuntimeError: first line x" in err
    assert len(err) < 700


def test_a_raising_adapter_from_a_spec_keeps_its_exception_as_the_cause() -> None:
    """From Python, the adapter's own traceback is still there, chained to the AdapterError."""
    adapter = resolve_adapter("not_adapters:raises")
    with pytest.raises(AdapterError, match="the adapter raised KeyError") as caught:
        run_client_checks(adapter, target="raises", scenarios=[builtin_scenario("seed-example")])
    assert isinstance(caught.value.__cause__, KeyError)
    assert caught.value.__cause__.__traceback__ is not None


def test_an_adapter_that_stops_returning_outcomes_mid_run_raises_adapter_error() -> None:
    """Past the probe, inside hypothesis's search: the usage error comes out, not a finding."""
    calls = itertools.count()

    def goes_wrong(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
        outcome = llama_api_client(base_url, api_key, conversation)
        return None if next(calls) >= 2 else outcome  # type: ignore[return-value]

    with pytest.raises(AdapterError, match="the adapter returned None, not a ClientOutcome"):
        run_client_checks(goes_wrong, target="goes_wrong", scenarios=(), examples=5)


@pytest.mark.parametrize(
    ("spec", "said"),
    [
        (".relative:adapter", "'.relative' is not a module name"),
        ("not_adapters:no_such_name", "not_adapters has no function 'no_such_name'"),
        ("a" * 5000 + ":x", "..."),  # the spec is cut, never echoed whole
    ],
)
def test_a_spec_that_names_nothing_is_one_short_line(
    spec: str, said: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _check_client(spec, tmp_path) == 2  # '.relative' was a TypeError traceback
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert said in err
    assert len(err) < 500
