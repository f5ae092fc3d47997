"""`llama-contract validate` and `llama-contract rules`: exit codes, output lines, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from contract_samples import (
    COMPAT_RESPONSE,
    DATA,
    REFERENCE_RESPONSE,
    compat_stream,
    native_text_stream,
)

from contract.rules import catalog
from mockserver.cli.main import main
from mockserver.cli.rules import render_markdown

ROOT = Path(__file__).resolve().parents[2]
SEED = DATA / "seed_request.json"
WIZARD = {
    "model": "Llama-4-Scout-17B-16E-Instruct-FP8",
    "messages": [{"role": "wizard", "content": "hi"}],
}

SIMPLE_REQUEST = {**WIZARD, "messages": [{"role": "user", "content": "hi"}]}


def _write(tmp_path: Path, content: str | bytes, name: str = "doc.json") -> str:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return str(path)


def _jsonl(records: list[Any]) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


def test_the_seed_request_conforms_with_its_warning_printed(capsys):
    # the Llama API's own native example: its max_tokens gets the warning, no --endpoint needed
    assert main(["validate", str(SEED)]) == 0
    out, err = capsys.readouterr()
    (line,) = out.splitlines()
    assert line.startswith('warning: /max_tokens: unknown field "max_tokens"; did you mean ')
    assert line.endswith('"max_completion_tokens"? [field.unknown]')
    assert "conforms" in err


def test_strict_turns_the_warning_into_an_error(capsys):
    assert main(["validate", "--strict", "--endpoint", "native", str(SEED)]) == 1


def test_violations_exit_1_with_one_line_each(tmp_path, capsys):
    assert main(["validate", _write(tmp_path, json.dumps(WIZARD))]) == 1
    out, _ = capsys.readouterr()
    (line,) = out.splitlines()
    assert line.startswith("/messages/0/role: ")
    assert line.endswith("[message.role.unknown]")


def test_json_format_reports_every_violation(tmp_path, capsys):
    assert main(["validate", "--format", "json", _write(tmp_path, json.dumps(WIZARD))]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert report["kind"] == "native request"
    assert [v["rule"] for v in report["violations"]] == ["message.role.unknown"]


@pytest.mark.parametrize(
    ("document", "args", "kind"),
    [
        (REFERENCE_RESPONSE, [], "native chat response"),
        (COMPAT_RESPONSE, [], "compat chat response"),
        (native_text_stream()[1], [], "native chunk"),
        (compat_stream()[0], [], "compat chunk"),
        ({"data": []}, [], "native models response"),
        (REFERENCE_RESPONSE, ["--kind", "response"], "native chat response"),
        (SIMPLE_REQUEST, ["--endpoint", "compat"], "compat request"),
    ],
)  # fmt: skip
def test_the_kind_of_a_document_is_detected(tmp_path, capsys, document, args, kind):
    path = _write(tmp_path, json.dumps(document))
    assert main(["validate", "--format", "json", *args, path]) == 0
    assert json.loads(capsys.readouterr().out)["kind"] == kind


def test_jsonl_requests_are_checked_one_per_line(tmp_path, capsys):
    good = json.loads(SEED.read_text())
    path = _write(tmp_path, _jsonl([good, WIZARD, good]), "requests.jsonl")
    assert main(["validate", "--endpoint", "native", path]) == 1
    out = capsys.readouterr().out.splitlines()
    assert [line.removeprefix("warning: ").split(":")[0] for line in out] == [
        "line 1", "line 2", "line 3"]  # fmt: skip
    assert [line.startswith("warning: ") for line in out] == [True, False, True]
    assert "[message.role.unknown]" in out[1]


def test_a_jsonl_stream_is_checked_as_a_whole(tmp_path, capsys):
    path = _write(tmp_path, _jsonl(native_text_stream()), "stream.jsonl")
    assert main(["validate", path]) == 0
    records = [f"data: {json.dumps(c)}\n" for c in native_text_stream()] + ["data: [DONE]\n"]
    path = _write(tmp_path, "\n".join(records), "stream.sse")
    assert main(["validate", path]) == 1
    out = capsys.readouterr().out
    (line,) = out.splitlines()
    assert line.startswith("line 11: /: 'data: [DONE]' on a native stream")
    assert line.endswith("[stream.done.native]")


def test_sse_comment_lines_are_skipped_as_every_client_skips_them(tmp_path, capsys):
    records = [f"data: {json.dumps(c)}\n\n: keep-alive\n" for c in native_text_stream()]
    path = _write(tmp_path, ": opening comment\n\n" + "\n".join(records), "stream.sse")
    assert main(["validate", path]) == 0
    assert capsys.readouterr().err.startswith("native stream: conforms")


def test_stream_chunks_among_other_documents_are_said_to_be_checked_alone(tmp_path, capsys):
    request = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    lines = [json.dumps(request), *(json.dumps(c) for c in native_text_stream()[:3])]
    assert main(["validate", "--endpoint", "native", _write(tmp_path, "\n".join(lines))]) == 0
    err = capsys.readouterr().err
    assert "note: lines 2, 3, 4: stream chunks among other documents, each checked alone" in err
    assert err.splitlines()[-1].startswith("documents: conforms")


def test_a_compat_stream_is_detected_and_needs_done(tmp_path, capsys):
    path = _write(tmp_path, _jsonl(compat_stream()), "stream.jsonl")
    assert main(["validate", path]) == 0
    path = _write(tmp_path, _jsonl(compat_stream()[:-1]), "stream.jsonl")
    assert main(["validate", "--kind", "stream", path]) == 1
    assert "[stream.done.missing]" in capsys.readouterr().out


BAD_INPUTS = [
    (b"{not json", "invalid JSON at line 1"),
    (b'{"model": "\xff"}', "not valid UTF-8"),
    (b"[1, 2]", "a JSON array, not an object"),
    (b'"text"', "a JSON string, not an object"),
    (b"[" * 100_000 + b"]" * 100_000, "nests deeper than"),
    (b'{"temperature": NaN}', "NaN is not valid JSON"),
    (b'{"temperature": Infinity}', "Infinity is not valid JSON"),
    (b'{"max_completion_tokens": ' + b"7" * 5000 + b"}", "an integer of 5000 digits"),
    (b"", "invalid JSON"),
    (b'{"x": 1\n{"y": 2}\n', "invalid JSON at line 2 column 1"),  # first line broken: no JSONL
    # a pretty-printed document cut short: one of its lines is an object, most are not: no JSONL
    (b'{\n  "model": "m",\n  "messages": [\n    {"role": "user", "content": "hi"}\n  ]\n',
     "invalid JSON at line 6 column 1: Expecting ',' delimiter [json.invalid]"),
    (b'{"unrelated": true}', "pass --kind"),
    # a request or a response followed by [DONE] (once a traceback and exit 1)
    (b'{"model": "m", "messages": [{"role": "user", "content": "hi"}]}\n[DONE]\n',
     "line 2: [DONE] outside a stream"),
    (b'{"model": "m", "messages": [{"role": "user", "content": "hi"}]}\ndata: [DONE]\n',
     "line 2: [DONE] outside a stream"),
    (b'event: message\ndata: {"id": "a"}\n\n', "line 1: an SSE 'event' line"),
    (bytes(range(256)) * 4, "not valid UTF-8"),  # binary, with line breaks among its bytes
]


@pytest.mark.parametrize(("body", "message"), BAD_INPUTS)
def test_unreadable_input_exits_2_with_one_clear_line(tmp_path, capsys, body, message):
    assert main(["validate", _write(tmp_path, body)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("llama-contract validate: ")
    assert message in err


def test_a_missing_file_exits_2(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "absent.json")]) == 2
    assert "cannot read" in capsys.readouterr().err


@pytest.mark.parametrize(("body", "message"), BAD_INPUTS[:8])
def test_bad_input_through_stdin_of_the_real_command_has_no_traceback(body, message):
    command = [sys.executable, "-m", "mockserver.cli.main", "validate", "-"]
    done = subprocess.run(
        command, input=body, capture_output=True, cwd=ROOT, timeout=60, check=False
    )
    assert done.returncode == 2
    assert b"Traceback" not in done.stderr
    assert message.encode() in done.stderr


def test_rules_lists_every_rule(capsys):
    assert main(["rules"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == len(catalog())
    assert out[0].split()[:2] == ["json.invalid", "error"]


def test_rules_as_json(capsys):
    assert main(["rules", "--format", "json"]) == 0
    rules = json.loads(capsys.readouterr().out)
    assert {r["id"] for r in rules} == {r.id for r in catalog()}


def test_docs_rules_md_is_the_generated_catalog(capsys):
    assert main(["rules", "--format", "md"]) == 0
    generated = capsys.readouterr().out
    assert generated == render_markdown(catalog())
    on_disk = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert on_disk == generated, "regenerate: llama-contract rules --format md > docs/rules.md"


def test_several_files_each_line_says_its_file_and_the_status_is_the_worst(tmp_path, capsys):
    request = {"model": "Llama-4-Maverick-17B-128E-Instruct-FP8",
               "messages": [{"role": "user", "content": "hi"}]}  # fmt: skip
    good = _write(tmp_path, json.dumps(request), "good.json")
    bad = _write(tmp_path, json.dumps(WIZARD), "bad.json")
    broken = _write(tmp_path, "{not json", "broken.json")
    assert main(["validate", "--endpoint", "native", good, bad]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines()
    assert all(line.startswith(f"{bad}: ") for line in out.splitlines())
    assert f"{good}: native request: conforms, 0 warning(s)" in err.splitlines()
    assert main(["validate", "--endpoint", "native", good, broken, bad]) == 2  # all checked
    out, err = capsys.readouterr()
    assert f"llama-contract validate: {broken}: invalid JSON" in err
    assert out.startswith(f"{bad}: ")
    assert main(["validate", "--format", "json", "--endpoint", "native", good, bad]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["ok"] is False
    assert [(f["file"], f["ok"]) for f in document["files"]] == [(good, True), (bad, False)]
    assert document["files"][1]["violations"][0]["rule"] == "message.role.unknown"


REQUEST_LINE = json.dumps({"model": "Llama-4-Maverick-17B-128E-Instruct-FP8",
                           "messages": [{"role": "user", "content": "hi"}]})  # fmt: skip


def test_a_jsonl_line_that_holds_no_document_is_a_finding_and_the_other_lines_are_checked(
    tmp_path, capsys
):
    wizard = REQUEST_LINE.replace('"user"', '"wizard"')
    body = "\n".join([REQUEST_LINE, '{"model": "unterminated', "[1, 2]", wizard]) + "\n"
    assert main(["validate", "--endpoint", "native", _write(tmp_path, body)]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "line 2: /: invalid JSON at column 11: Unterminated string starting there [json.invalid]",
        "line 3: /: a JSON array, not an object [body.not_object]",
        'line 4: /messages/0/role: "wizard" is not allowed for \'role\'; allowed: "system", '
        '"user", "assistant", "tool" [message.role.unknown]',
    ]
    assert err.splitlines()[-1] == "native request: 3 error(s), 0 warning(s)"
    assert main(["validate", "--format", "json", _write(tmp_path, body)]) == 1
    found = json.loads(capsys.readouterr().out)["violations"]
    assert [(v["line"], v["rule"]) for v in found] == [
        (2, "json.invalid"), (3, "body.not_object"), (4, "message.role.unknown")]


def test_a_broken_line_in_a_stream_is_a_finding_and_the_stream_is_still_checked(tmp_path, capsys):
    start = '{"id": "a", "event": {"event_type": "start", "delta": {"type": "text", "text": ""}}}'
    body = f"data: {start}\ndata: {{\"id\": \"a\", \"eve\ndata: [DONE]\n"
    assert main(["validate", _write(tmp_path, body)]) == 1
    out, _ = capsys.readouterr()
    assert out.splitlines()[0].startswith("line 2: /: invalid JSON")
    assert "[stream.order]" in out  # the rest was checked as one stream: it never completes


def test_a_jsonl_log_whose_first_line_was_cut_is_still_checked_line_by_line(tmp_path, capsys):
    wizard = REQUEST_LINE.replace('"user"', '"wizard"')
    cut = REQUEST_LINE[20:]  # what `tail -c` leaves of the first line
    log = _write(tmp_path, "\n".join([cut, REQUEST_LINE, wizard]) + "\n", "log.jsonl")
    good = _write(tmp_path, REQUEST_LINE + "\n" + REQUEST_LINE + "\n", "good.jsonl")
    assert main(["validate", "--endpoint", "native", log, good]) == 1
    out, err = capsys.readouterr()
    assert [line.split(" [")[-1] for line in out.splitlines()] == [
        "json.invalid]", "message.role.unknown]"]
    assert out.startswith(f"{log}: line 1: /: invalid JSON at column 1: Expecting value ")
    assert out.splitlines()[1].startswith(f"{log}: line 3: /messages/0/role: ")
    assert f"{good}: native request: conforms" in err
    assert main(["validate", "--endpoint", "native", "--format", "json", log, good]) == 1
    files = json.loads(capsys.readouterr().out)["files"]
    assert [(v["line"], v["rule"]) for v in files[0]["violations"]] == [
        (1, "json.invalid"), (3, "message.role.unknown")]
    assert files[1]["ok"] is True


def test_jsonl_lines_end_at_line_breaks_not_at_a_line_separator_inside_a_string(
    tmp_path, capsys
):
    # JSON strings may hold U+2028, U+2029 and U+0085 raw; a log written with ensure_ascii=False does
    spaced = json.dumps({"model": "Llama-4-Maverick-17B-128E-Instruct-FP8", "messages": [
        {"role": "user", "content": "one\u2028two\u2029three\x85four"}]}, ensure_ascii=False)
    wizard = REQUEST_LINE.replace('"user"', '"wizard"')
    body = f"{spaced}\r\n{wizard}\r\n{REQUEST_LINE}\r\n"
    assert main(["validate", "--endpoint", "native", _write(tmp_path, body, "log.jsonl")]) == 1
    out, err = capsys.readouterr()
    assert [line.split(": ")[0] for line in out.splitlines()] == ["line 2"]
    assert "[message.role.unknown]" in out
    assert err.splitlines()[-1] == "native request: 1 error(s), 0 warning(s)"


def test_a_jsonl_line_cut_inside_a_utf8_character_is_a_finding_on_that_line(tmp_path, capsys):
    cafe = REQUEST_LINE.replace('"hi"', '"un caf\u00e9"').encode()
    cut = cafe[: cafe.index("\u00e9".encode()) + 1]  # the first of the two bytes of "é"
    wizard = REQUEST_LINE.replace('"user"', '"wizard"').encode()
    path = _write(tmp_path, b"\n".join([cafe, cut, wizard]) + b"\n", "log.jsonl")
    assert main(["validate", "--endpoint", "native", path]) == 1
    out, _ = capsys.readouterr()
    assert out.splitlines()[0] == (
        f"line 2: /: not valid UTF-8 at byte {len(cut)} of the line (unexpected end of data): "
        "not JSON [json.invalid]")
    assert out.splitlines()[1].startswith("line 3: /messages/0/role: ")
    assert len(out.splitlines()) == 2


def test_a_request_over_the_mocks_body_limit_is_a_finding(tmp_path, capsys):
    big = json.dumps({"model": "Llama-4-Maverick-17B-128E-Instruct-FP8",
                      "messages": [{"role": "user", "content": "x" * (21 * 1024 * 1024)}]})  # fmt: skip
    assert main(["validate", "--endpoint", "native", _write(tmp_path, big)]) == 1
    out, _ = capsys.readouterr()
    assert out.startswith(f"/: the request is {len(big):,} bytes; the mock refuses bodies over "
                          "20,971,520 bytes with a 413 (serve's default) [body.too_large]")  # fmt: skip
    assert main(["validate", "--endpoint", "native", _write(tmp_path, REQUEST_LINE)]) == 0


def test_each_jsonl_line_is_held_to_the_body_limit(tmp_path, capsys, monkeypatch):
    import mockserver.cli.validate as validate_command

    monkeypatch.setattr(validate_command, "DEFAULT_MAX_BODY_BYTES", len(REQUEST_LINE) + 5)
    longer = REQUEST_LINE.replace('"hi"', '"hi there"')
    body = f"{REQUEST_LINE}\n{longer}\n"
    assert main(["validate", "--endpoint", "native", _write(tmp_path, body)]) == 1
    out, _ = capsys.readouterr()
    assert [line.split(":")[0] for line in out.splitlines()] == ["line 2"]
    assert "[body.too_large]" in out


def test_the_body_limit_is_serves_and_a_request_of_exactly_it_passes(tmp_path, capsys, monkeypatch):
    import mockserver.cli.validate as validate_command
    from mockserver.config import MockConfig

    assert MockConfig().max_body_bytes == validate_command.DEFAULT_MAX_BODY_BYTES
    # the mock refuses a body over its limit, so one of exactly the limit is taken
    monkeypatch.setattr(validate_command, "DEFAULT_MAX_BODY_BYTES", len(REQUEST_LINE))
    assert main(["validate", "--endpoint", "native", _write(tmp_path, REQUEST_LINE)]) == 0
    one_more = _write(tmp_path, REQUEST_LINE + " ")  # whitespace is a byte of the body too
    assert main(["validate", "--endpoint", "native", one_more]) == 1
    assert "[body.too_large]" in capsys.readouterr().out
