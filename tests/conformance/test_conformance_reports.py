"""Report files: report.json valid against its published schema, JUnit that parses with the right
counts, a self-contained HTML page, summary.md, and `report render` re-rendering them."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from contract.conformance.checks.registry import CheckOutcome, registered_checks
from contract.conformance.report import (
    CheckRecord,
    Report,
    load_report,
    render,
    report_schema,
    schema_errors,
    write_reports,
)
from contract.conformance.report.model import records_of
from contract.violations import Violation
from mockserver.cli.main import main


@pytest.fixture(scope="module")
def broken_dir(broken_report: Report, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("broken-report")
    write_reports(broken_report, directory)
    return directory


def test_the_files_are_written(broken_dir: Path) -> None:
    names = sorted(p.name for p in broken_dir.iterdir())
    assert names == ["junit.xml", "report.html", "report.json", "summary.md"]


def test_report_json_validates_against_its_schema(broken_dir: Path, mock_report: Report,
                                                  tmp_path: Path) -> None:  # fmt: skip
    jsonschema.Draft202012Validator.check_schema(report_schema())
    for document in (json.loads((broken_dir / "report.json").read_text()), mock_report.to_dict()):
        assert schema_errors(document) == []
        assert document["tool"]["name"] == "llama-api-contract"
        assert document["contract"]["digest"].startswith("sha256:")
        assert set(document["summary"]) >= {"passed", "failed", "warnings"}
    document = json.loads((broken_dir / "report.json").read_text())
    assert document["seed"] == 7
    assert document["target"].startswith("http://127.0.0.1:")
    failed = [r for r in document["records"] if r["status"] == "failed"]
    assert len(failed) == document["summary"]["failed"] > 0
    assert all({"rule", "check", "message", "evidence"} <= set(r) for r in failed)


def test_a_report_that_breaks_the_schema_is_refused(broken_dir: Path, tmp_path: Path) -> None:
    document = json.loads((broken_dir / "report.json").read_text())
    document["summary"]["failed"] = "many"
    bad = tmp_path / "report.json"
    bad.write_text(json.dumps(document))
    assert any("summary/failed" in line for line in schema_errors(document))
    assert main(["report", "render", str(bad), "--format", "md"]) == 2


@pytest.mark.parametrize("edit", ["a lone surrogate", "options nested 5000 deep"])
@pytest.mark.parametrize("fmt", ["md", "html", "junit", "json"])
def test_a_hand_edited_report_no_renderer_can_write_is_refused_in_one_line(
    broken_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], edit: str, fmt: str
) -> None:  # fmt: skip
    text = (broken_dir / "report.json").read_text()
    if edit == "a lone surrogate":  # valid JSON and schema-valid, but no UTF-8 output holds it
        document = json.loads(text)
        document["records"][0]["message"] = "\ud800"
        text = json.dumps(document).replace("\\\\ud800", "\\ud800")
    else:
        text = text.replace('"options": {', '"options": {"deep": ' + "[" * 5000 + "]" * 5000 + ", ", 1)
    bad = tmp_path / "report.json"
    bad.write_text(text)
    capsys.readouterr()
    assert main(["report", "render", str(bad), "--format", fmt]) == 2  # it was a traceback, exit 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "is not a report.json" in err


@pytest.mark.parametrize(
    "requests",
    [
        [{"method": "POST", "path": "/v1/chat/completions", "status": 400, "violations": "x"}],
        [{"method": "POST", "path": "/v1/chat/completions", "status": 400, "violations": [3]}],
        [{"method": 7, "path": "/v1/chat/completions", "status": "400"}],
    ],
)
@pytest.mark.parametrize("fmt", ["md", "html", "junit"])
def test_evidence_a_renderer_cannot_read_is_refused_by_the_schema(
    broken_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    requests: list[dict[str, object]], fmt: str,
) -> None:  # fmt: skip
    document = json.loads((broken_dir / "report.json").read_text())
    document["records"][0]["evidence"] = {"requests": requests}
    bad = tmp_path / "report.json"
    bad.write_text(json.dumps(document))
    capsys.readouterr()
    assert main(["report", "render", str(bad), "--format", fmt]) == 2  # junit: a traceback, exit 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "is not a report.json" in err
    assert "/evidence/requests/0" in err


def test_a_schema_error_quotes_a_long_value_cut(broken_dir: Path) -> None:
    document = json.loads((broken_dir / "report.json").read_text())
    document["summary"]["failed"] = "x" * 100_000
    [problem] = schema_errors(document)
    assert "summary/failed" in problem
    assert len(problem) < 300


def test_junit_stays_xml_whatever_a_message_holds() -> None:
    report = Report(kind="client", target="edited")
    report.add([CheckRecord("text_intact", "client.text.intact", "failed", "case\x02",
                            "the client returned '\x01\x0b'; the server sent '\ufffe'")])  # fmt: skip
    root = ET.fromstring(render(report, format="junit").encode("utf-8"))  # it broke the parser
    failure = root.find(".//testcase/failure")
    assert failure is not None
    assert "the client returned" in failure.get("message", "")


def test_junit_parses_with_one_testcase_per_record(broken_dir: Path,
                                                   broken_report: Report) -> None:  # fmt: skip
    root = ET.parse(broken_dir / "junit.xml").getroot()
    assert root.tag == "testsuites"
    cases = root.findall("./testsuite/testcase")
    summary = broken_report.summary()
    assert len(cases) == summary["total"] == int(root.get("tests", "-1"))
    failures = [case for case in cases if case.find("failure") is not None]
    assert len(failures) == summary["failed"] == int(root.get("failures", "-1"))
    assert sum(int(s.get("failures", "0")) for s in root.findall("testsuite")) == len(failures)
    assert all("curl " in (case.find("failure").text or "") for case in failures)  # type: ignore[union-attr]


def test_html_is_self_contained(broken_dir: Path) -> None:
    page = (broken_dir / "report.html").read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.IGNORECASE)
    assert "<script" not in page.lower()
    assert "@import" not in page
    assert "url(" not in page
    for needed in ("Rules", "Contract features exercised", "Failures", "stream.done.native",
                   "curl -sS", "native.chat"):  # fmt: skip
        assert needed in page


def test_summary_md_says_the_verdict(broken_dir: Path, mock_report: Report, tmp_path: Path) -> None:
    text = (broken_dir / "summary.md").read_text()
    assert "does NOT conform" in text
    assert "`metrics.missing`" in text
    write_reports(mock_report, tmp_path)
    assert "— conforms" in (tmp_path / "summary.md").read_text()


@pytest.mark.parametrize(("fmt", "name"), [("html", "report.html"), ("junit", "junit.xml"),
                                          ("md", "summary.md"), ("json", "report.json")])  # fmt: skip
def test_report_render_reproduces_the_files(broken_dir: Path, tmp_path: Path, fmt: str,
                                            name: str) -> None:  # fmt: skip
    out = tmp_path / name
    assert main(["report", "render", str(broken_dir / "report.json"), "--format", fmt,
                 "--output", str(out)]) == 0  # fmt: skip
    assert out.read_text() == (broken_dir / name).read_text()


def test_load_report_round_trips(broken_dir: Path, broken_report: Report) -> None:
    loaded = load_report(broken_dir / "report.json")
    assert loaded.to_dict() == json.loads((broken_dir / "report.json").read_text())
    assert loaded.summary() == broken_report.summary()


def test_report_render_of_a_missing_file_exits_2(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    assert main(["report", "render", str(tmp_path / "nope.json"), "--format", "html"]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_html_shows_summary_rules_then_failures_with_messages_then_tables(
    broken_dir: Path, broken_report: Report
) -> None:
    """The rules table (a few rows) comes before the failures (possibly hundreds): what broke,
    then each failure."""
    page = (broken_dir / "report.html").read_text()
    order = [page.index(text) for text in ("does not conform", "<h2>Rules</h2>",
                                           "<h2>Failures and warnings</h2>", "<h2>Checks</h2>",
                                           "<h2>Contract features exercised</h2>")]
    assert order == sorted(order)
    failure = next(r for r in broken_report.records if r.status == "failed")
    message = page.index(html.escape(failure.message, quote=True))
    folded = page.rfind("<details", 0, message)
    assert folded == -1 or page.rfind("</details>", 0, message) > folded  # not folded away
    rules = page[page.index("<h2>Rules</h2>"):page.index("<h2>Failures and warnings</h2>")]
    rows = re.findall(r"<tr( class='failed-row')?><td><code>([^<]+)</code>", rules)
    failed_rules = {row["rule"] for row in broken_report.rule_table() if row["failed"]}
    assert {rule for mark, rule in rows if mark} == failed_rules
    assert [bool(mark) for mark, _ in rows] == sorted((bool(m) for m, _ in rows), reverse=True)


def test_write_reports_takes_a_str_path(broken_report: Report, tmp_path: Path) -> None:
    paths = write_reports(broken_report, str(tmp_path / "made"))
    assert [p.name for p in paths] == ["report.json", "junit.xml", "report.html", "summary.md"]
    assert all(p.is_file() for p in paths)


def test_a_duration_renders_the_same_from_report_json(tmp_path: Path) -> None:
    # 12.0496 s rounds down to 12.0 but report.json keeps 12.05, which rounds up: render both alike.
    report = Report(kind="server", target="t", duration_s=12.0496)
    written = {path.name: path.read_text() for path in write_reports(report, tmp_path)}
    again = load_report(tmp_path / "report.json")
    assert render(again, format="html") == written["report.html"]
    assert render(again, format="junit") == written["junit.xml"]


def test_a_generated_failure_shows_its_seed_and_minimal_exchange(tmp_path: Path) -> None:
    exchange = {"name": "generated-exchange", "steps": [{
        "name": "exchange", "match": {"endpoint": "native", "stream": False},
        "request": {"model": "m", "messages": [{"role": "user", "content": "what"}]},
        "respond": {"text": " ", "stop_reason": "stop"}}]}  # fmt: skip
    record = CheckRecord("text_intact", "client.text.intact", "failed", "generated/x",
                         "the client returned ''; the server sent ' '",
                         {"seed": 7, "exchange": exchange, "outcome": {"text": ""}})  # fmt: skip
    report = Report(kind="client", target="buggy", seed=7)
    report.add([record])
    written = {path.name: path.read_text() for path in write_reports(report, tmp_path)}
    served = html.escape('"respond": {\n', quote=True)
    assert served in written["report.html"]
    assert "<h4>seed</h4><pre>7</pre>" in written["report.html"]
    case = ET.fromstring(written["junit.xml"]).find(".//testcase/failure")
    assert case is not None
    assert "seed: 7" in (case.text or "")
    assert '"stop_reason": "stop"' in (case.text or "")


def test_a_record_message_says_where_and_what_and_leaves_the_rule_to_the_record() -> None:
    check = next(c for c in registered_checks(scope="client") if c.name == "text_intact")
    found = (Violation("client.text.intact", "", "the client returned ''"),
             Violation("client.text.intact", "/text", "cut short"))  # fmt: skip
    (record,) = records_of(CheckOutcome(check, found), case="c")
    assert record.rule == "client.text.intact"
    assert record.message == "the client returned ''; /text: cut short"


def test_every_report_of_an_interrupted_run_says_so(tmp_path: Path) -> None:
    report = Report(kind="client", target="my:adapter", cases=1,
                    options={"interrupted": {"case": "multi-turn/population", "cases_done": 1,
                                             "cases_total": 4}})  # fmt: skip
    report.add([CheckRecord("request_conforms", "client.request.conforms", "passed",
                            "multi-turn/capital", "ok")])  # fmt: skip
    write_reports(report, tmp_path)
    said = "INTERRUPTED after 1 of 4 cases, conforms so far"
    summary_md = (tmp_path / "summary.md").read_text()
    assert said in summary_md.splitlines()[0]
    assert "| checks passed | failed | warnings | skipped |" in summary_md  # checks, not cases
    page = (tmp_path / "report.html").read_text()
    assert f"<span class='failed'>{said}</span></h1>" in page  # not green: the run is not whole
    assert "<th>checks passed</th>" in page
    suites = ET.parse(tmp_path / "junit.xml").getroot()
    assert (suites.get("tests"), suites.get("errors"), suites.get("failures")) == ("2", "1", "0")
    error = suites.find("testsuite/testcase/error")
    assert error is not None
    assert error.get("message") == said
    loaded = load_report(tmp_path / "report.json")
    assert loaded.verdict() == said
    assert report.verdict() == said


def test_a_short_list_of_failures_shows_each_kind_first(tmp_path: Path) -> None:
    """70 generated cases failing one rule do not hide the fault case failing another: the
    printed lines and summary.md list the first failure of each check and rule, then the rest."""
    report = Report(kind="server", target="http://gw", seed=0, cases=71)
    report.add([CheckRecord("error_body", "field.required", "failed", f"rule-{n}",
                            f"missing {n}") for n in range(70)])  # fmt: skip
    report.add([CheckRecord("fault_headers", "server.fault.headers", "failed", "fault-x/limited",
                            "/headers/retry-after: is missing")])  # fmt: skip
    assert [r.case for r in report.failures_to_read()[:3]] == ["rule-0", "fault-x/limited",
                                                                "rule-1"]
    assert [r.case for r in report.failures] == [f"rule-{n}" for n in range(70)] + [
        "fault-x/limited"]  # report.json keeps run order
    write_reports(report, tmp_path)
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert summary.index("`fault-x/limited`") < summary.index("`rule-1`")
