"""`check client` with an adapter that calls sys.exit(): SystemExit is a BaseException and went
past the handling of an adapter's exceptions, so sys.exit(0) made the run exit 0 with no output and
no report, and sys.exit(3) exit 3. It is now as any exception an adapter raises: exit 2 and one
line naming the spec, the call and the sys.exit."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

import pytest

from contract.conformance.checks import ClientOutcome, Conversation
from contract.scenarios.loading import builtin_scenario
from mockserver.cli.main import main
from mockserver.conformance.adapter_spec import AdapterError, resolve_adapter
from mockserver.conformance.client_runner import run_client_checks

MODULE = __name__.rpartition(".")[2]


def exits_0(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
    sys.exit(0)


def exits_3(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
    sys.exit(3)


def exits_bare(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
    sys.exit()


def exits_text(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
    sys.exit("giving up")


def _check_client(spec: str, report_dir: Path, *flags: str) -> int:
    return main(["check", "client", "--adapter", spec, "--report-dir", str(report_dir),
                 *(flags or ("--scenarios", "seed-example"))])  # fmt: skip


@pytest.mark.parametrize(("flags", "case"), [((), "seed-example/answer"),
                                             (("--no-scenarios", "--examples", "2"),
                                              "generated/exchange")])  # fmt: skip
@pytest.mark.parametrize(("name", "call"), [("exits_0", "sys.exit(0)"), ("exits_3", "sys.exit(3)"),
                                            ("exits_bare", "sys.exit()"),
                                            ("exits_text", "sys.exit('giving up')")])  # fmt: skip
def test_an_adapter_calling_sys_exit_exits_2_in_one_line_naming_the_spec_the_call_and_the_exit(
    name: str, call: str, flags: tuple[str, ...], case: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    assert _check_client(f"{MODULE}:{name}", tmp_path, *flags) == 2  # was 0 (or 3) and silent
    out, err = capsys.readouterr()
    line = inspect.getsourcelines(globals()[name])[1] + 1
    assert err == (f"llama-contract check: --adapter '{MODULE}:{name}': the adapter called {call} "
                   f"({__file__}, line {line}) on {case}; an adapter returns the client's errors "
                   "in ClientOutcome.error\n")  # fmt: skip
    assert out == ""
    assert not (tmp_path / "report.json").exists()


def test_from_python_the_sys_exit_is_an_adapter_error_with_the_system_exit_as_its_cause() -> None:
    adapter = resolve_adapter(f"{MODULE}:exits_3")
    with pytest.raises(AdapterError, match=r"the adapter called sys\.exit\(3\)") as caught:
        run_client_checks(adapter, target="exits_3", scenarios=[builtin_scenario("seed-example")])
    assert isinstance(caught.value.__cause__, SystemExit)
    assert caught.value.__cause__.code == 3
