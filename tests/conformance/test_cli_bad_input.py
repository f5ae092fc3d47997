"""A new user's sweep of every subcommand with bad input: each mistake is one line on stderr and
exit 2 (exit 1 is a verdict, "does not conform", never a usage error), with no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mockserver.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
HUGE = "9" * 5000  # past int()'s own 4,300-digit limit


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        code = main(argv)
    except SystemExit as stop:  # argparse's own refusals
        code = int(stop.code or 0)
    return code, capsys.readouterr().err


def _one_line_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str], *said: str) -> str:
    code, err = _run(argv, capsys)
    assert code == 2, err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    assert len(err) < 600, err  # a long value is cut, never repeated whole
    for words in said:
        assert words in err
    return err


@pytest.fixture
def places(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "empty-folder").mkdir()
    (tmp_path / "empty.json").write_bytes(b"")
    (tmp_path / "empty.yaml").write_bytes(b"")
    (tmp_path / "binary.json").write_bytes(bytes(range(256)))
    (tmp_path / "latin1.yaml").write_bytes("name: café\nsteps: [{}]\n".encode("latin-1"))
    return {name: str(tmp_path / name) for name in
            ("empty-folder", "empty.json", "empty.yaml", "binary.json", "latin1.yaml",
             "missing.json")}  # fmt: skip


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["check", "server", "--base-url", "http://127.0.0.1:1", "--examples", "-1"],
         "argument --examples: '-1' is not from 0 to 10,000"),
        (["check", "server", "--base-url", "http://127.0.0.1:1", "--examples", HUGE],
         "(5,000 characters) is too large"),  # a huge count was a hang, building the cases
        (["check", "server", "--base-url", "http://127.0.0.1:1", "--examples", "10001"],
         "is not from 0 to 10,000"),
        (["check", "server", "--base-url", "http://127.0.0.1:1", "--seed", "-1"],
         "argument --seed: '-1' is not from 0 to 18,446,744,073,709,551,615"),
        (["check", "client", "--adapter", "openai", "--seed", "1" + "0" * 40],
         "is not from 0 to"),  # a 41-digit seed was a report that report render refused
        (["check", "client", "--adapter", "openai", "--examples", "1e3"], "'1e3' is not an integer"),
        (["check", "server", "--base-url", "http://127.0.0.1:1", "--endpoint", "nope"],
         "invalid choice: 'nope'"),
        (["check", "server"], "the following arguments are required: --base-url"),
        (["check"], "the following arguments are required: server|client"),
        (["report", "render", "r.json"], "the following arguments are required: --format"),
        (["validate", "x.json", "--kind", "nope"], "invalid choice: 'nope'"),
        (["scenarios", "nope"], "invalid choice: 'nope'"),
        (["rules", "--format", "pdf"], "invalid choice: 'pdf'"),
        (["rules", "--bogus"], "unrecognized arguments: --bogus"),
        (["serve", "--journal-size", "99999999999999999999999"], "is more than 1,000,000"),
        (["serve", "--threads", "99999999999"], "is more than 1,024"),
        (["serve", "--workers", "99999999999"], "is more than 256"),
        (["serve", "--rpm", "1" + "0" * 30], "is more than 1,000,000,000,000"),
        (["serve", "--tpm", "-1"], "'-1' is not a positive integer"),
        (["serve", "--seed", "-1"], "'-1' is not from 0 to"),
        (["serve", "--port", HUGE], "(5,000 characters) is too large"),
        (["serve", "--ttft-ms", "1" * 5000], "(5,000 characters) is not a finite number"),
        (["serve", "--host", "a" * 5000], "is not a host name or address (at most 253 characters)"),
        (["serve", "--scenarios", ""], "argument --scenarios: an empty path names nothing"),
        (["validate", ""], "argument FILE: an empty path names nothing"),
        (["report", "render", "", "--format", "md"], "an empty path names nothing"),
    ],
)
def test_a_bad_argument_is_one_line_and_exit_2(argv: list[str], said: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    # argparse printed its usage too (three lines and more); --journal-size past a C ssize_t was
    # an OverflowError traceback, and the redis URLs a ValueError one, each exit 1
    err = _one_line_exit_2(argv, capsys, said)
    assert err.rstrip().endswith("(see --help)")


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("redis://[::1", "--store 'redis://[::1': Invalid IPv6 URL"),
        ("redis://127.0.0.1:99999999999", "--store 'redis://127.0.0.1:99999999999': Port out of range"),
        ("redis://127.0.0.1:6379/abc", "the database is a number (redis://HOST:PORT/0), not 'abc'"),
        ("memcached://127.0.0.1", "--store"),
    ],
)
def test_a_store_url_redis_cannot_read_is_one_line_and_exit_2(
    url: str, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # one reading of the URL (open_store's), from serve as from the Python API; redis-py's own
    # reading raised a bare ValueError (a traceback, exit 1)
    _one_line_exit_2(["serve", "--port", "0", "--store", url], capsys, said)


@pytest.mark.parametrize("action", [["check"], ["list", "--from"], ["show"]])
@pytest.mark.parametrize(
    ("place", "said"),
    [
        ("missing.json", "missing.json: no such file or folder"),
        ("empty-folder", "empty-folder: no scenario file (.yaml, .yml, .json) in the folder"),
        ("", "an empty path names no scenario"),
        ("no-such-scenario", "no file, folder or built-in scenario named 'no-such-scenario'"),
    ],
)
def test_scenarios_given_nothing_to_read_exit_2(
    action: list[str], place: str, said: str, places: dict[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    # check and list exited 1 (a verdict) and `show` of a folder without a scenario was an
    # IndexError; `check ''` and `check EMPTY_FOLDER` exited 0, having checked nothing
    _one_line_exit_2(["scenarios", *action, places.get(place, place)], capsys, said)


@pytest.mark.parametrize("action", [["list", "--from"], ["show"]])
@pytest.mark.parametrize(("place", "said"), [("binary.json", "the file is not UTF-8"),
                                             ("latin1.yaml", "the file is not UTF-8 (byte 9)"),
                                             ("empty.yaml", "the file is empty")])  # fmt: skip
def test_scenarios_list_and_show_of_a_broken_file_exit_2_and_check_finds_it(
    action: list[str], place: str, said: str, places: dict[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    _one_line_exit_2(["scenarios", *action, places[place]], capsys, said)  # list exited 1
    code, err = _run(["scenarios", "check", places[place]], capsys)
    assert (code, err.count("\n")) == (1, 1)  # a problem in the file is what `check` looks for
    assert said in err


@pytest.mark.parametrize("action", [["check"], ["list", "--from"], ["show"]])
def test_an_empty_json_scenario_file_is_named_as_an_empty_yaml_one_is(
    action: list[str], places: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """An empty .json said `not valid JSON: Expecting value (column 1)`, an empty .yaml `the file
    is empty; ...`: the same mistake, two forms."""
    said = {}
    for place in ("empty.json", "empty.yaml"):
        _, err = _run(["scenarios", *action, places[place]], capsys)
        said[place] = err.replace(places[place], "FILE")
    assert said["empty.json"] == said["empty.yaml"]
    assert said["empty.json"] == ("llama-contract scenarios: FILE:1: the file is empty; a scenario "
                                  "needs a name and steps\n")  # fmt: skip


@pytest.mark.parametrize("subject", [["server", "--base-url", "http://127.0.0.1:1"],
                                     ["client", "--adapter", "openai"]])  # fmt: skip
@pytest.mark.parametrize(
    ("flags", "said"),
    [
        (["--scenarios", "empty-folder"], "no scenario file (.yaml, .yml, .json) in the folder"),
        (["--scenarios", ""], "an empty path names no scenario"),
        (["--scenarios", "binary.json"], "binary.json: the file is not UTF-8"),
        (["--report-dir", "empty.json"], "argument --report-dir: "),
        (["--report-dir", ""], "argument --report-dir: an empty path names nothing"),
    ],
)
def test_check_given_nothing_to_play_or_nowhere_to_write_exits_2(
    subject: list[str], flags: list[str], said: str, places: dict[str, str], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    # --scenarios EMPTY_FOLDER checked a client on nothing and said it conforms (exit 0); '' read
    # the current folder; a file as --report-dir was found only after the whole run
    flags = [places.get(flag, flag) for flag in flags]
    report_dir = [] if "--report-dir" in flags else ["--report-dir", str(tmp_path / "out")]
    _one_line_exit_2(["check", *subject, *flags, *report_dir, "--quiet"], capsys, said)
    assert not (tmp_path / "out").exists()


def test_save_failures_into_a_file_is_refused_before_the_run(
    places: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _one_line_exit_2(["check", "client", "--adapter", "openai", "--examples", "1",
                      "--save-failures", places["empty.json"], "--report-dir", str(tmp_path)],
                     capsys, "argument --save-failures: ", "is a file, not a folder")  # fmt: skip


@pytest.mark.parametrize(
    ("place", "said"),
    [
        ("missing.json", "missing.json: cannot read it: No such file or directory"),
        ("empty-folder", "empty-folder: cannot read it: Is a directory"),
        ("empty.json", "empty.json: empty: no JSON document in it (invalid JSON)"),
        ("binary.json", "binary.json: the body is not valid UTF-8 (byte 128"),
    ],
)
def test_validate_names_the_file_and_the_problem(
    place: str, said: str, places: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _one_line_exit_2(["validate", places[place]], capsys, f"llama-contract validate: {places[place]}",
                     said)  # fmt: skip


def _report(tmp_path: Path, text: str | bytes) -> str:
    path = tmp_path / "report.json"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return str(path)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("[" * 65 + "]" * 65, "is not a report.json: the JSON nests deeper than 64 levels"),
        ('{"a":' * 100 + "1" + "}" * 100, "the JSON nests deeper than 64 levels"),
        ("not json", "is not a report.json: invalid JSON at line 1 column 1"),
        ("", "is not a report.json: invalid JSON at line 1 column 1"),
        (b"\xff\xfe{}", "is not a report.json: the body is not valid UTF-8"),
        ('{"x": "caf\xe9"}'.encode("latin-1"), "the body is not valid UTF-8"),
        ("[1, 2]", "is not a report.json: /: [1, 2] is not of type 'object'"),
        ("{}", "is not a report.json: /: 'format' is a required property"),
        ('{"format": 1, "kind": "server"}', "is a required property"),
    ],
)
def test_report_render_of_a_broken_report_names_the_file_and_the_problem(
    text: str | bytes, said: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _report(tmp_path, text)
    for fmt in ("md", "html", "junit", "json"):
        _one_line_exit_2(["report", "render", path, "--format", fmt], capsys,
                         f"llama-contract report: {path} ", said)  # fmt: skip


def test_report_render_of_a_report_with_fields_of_the_wrong_type_or_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from contract.conformance.report import Report, render

    good = json.loads(render(Report(kind="client", target="edited by hand"), format="json"))
    edits = {
        "summary/passed: 'many' is not of type 'integer'": ("summary", {**good["summary"],
                                                                        "passed": "many"}),
        "records: {'a': 1} is not of type 'array'": ("records", {"a": 1}),
        "/: 'summary' is a required property": ("summary", None),
        "seed: 'one' is not of type 'integer', 'null'": ("seed", "one"),
    }  # fmt: skip
    for said, (key, value) in edits.items():
        document = {k: v for k, v in good.items() if k != key}
        if value is not None:
            document[key] = value
        path = _report(tmp_path, json.dumps(document))
        _one_line_exit_2(["report", "render", path, "--format", "md"], capsys,
                         f"{path} is not a report.json: {said}")  # fmt: skip


@pytest.mark.parametrize("where", ["folder", "missing"])
def test_report_render_of_a_folder_or_a_missing_file(
    where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path if where == "folder" else tmp_path / "nope.json"
    why = "Is a directory" if where == "folder" else "No such file or directory"
    _one_line_exit_2(["report", "render", str(path), "--format", "md"], capsys,
                     f"llama-contract report: cannot read {path}: {why}")  # fmt: skip


def test_a_file_name_that_is_not_utf8_is_named_in_one_line_by_the_real_command(
    tmp_path: Path,
) -> None:
    name = bytes(tmp_path) + b"/caf\xe9.json"  # a Latin-1 name: not UTF-8, as argv delivers it
    done = subprocess.run([sys.executable, "-m", "mockserver.cli.main", "validate", name],
                          capture_output=True, cwd=ROOT, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.count(b"\n") == 1, done.stderr
    assert b"caf\\udce9.json: cannot read it: No such file or directory" in done.stderr


def test_validate_into_a_pipe_closed_early_exits_with_its_verdict_and_no_traceback(
    tmp_path: Path,
) -> None:
    """`validate big.jsonl | head -1`: a BrokenPipeError traceback was exit 1 whatever the file."""
    line = json.dumps({"model": "m", "messages": [{"role": "wizard", "content": "hi"}]})
    documents = tmp_path / "many.jsonl"
    documents.write_text((line + "\n") * 3000)  # 3,000 findings: far more than a pipe holds
    with subprocess.Popen([sys.executable, "-m", "mockserver.cli.main", "validate", str(documents)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT) as child:  # fmt: skip
        assert child.stdout is not None
        assert child.stderr is not None
        assert b"[message.role.unknown]" in child.stdout.readline()
        child.stdout.close()
        err = child.stderr.read()
        assert child.wait(timeout=60) == 1  # the verdict: the documents break the contract
    assert b"Traceback" not in err
