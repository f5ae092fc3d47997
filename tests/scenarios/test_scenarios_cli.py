"""`llama-contract scenarios list|show|check`."""

from __future__ import annotations

import json
from pathlib import Path

from contract.scenarios.loading import builtin_dir, builtin_names, builtin_scenario
from mockserver.cli.main import main

BROKEN = Path(__file__).parent / "broken"


def test_list_prints_one_scenario_a_line_name_first(capsys) -> None:
    assert main(["scenarios", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == sorted(builtin_names())
    assert lines[0].startswith("agent-loop  3 steps [native, tools, agents, conversation]  ")


def test_list_includes_files_given_with_from(tmp_path, capsys) -> None:
    (tmp_path / "mine.yaml").write_text("name: zz-mine\ndescription: my own\nsteps: [{}]\n")
    assert main(["scenarios", "list", "--from", str(tmp_path)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "zz-mine  1 step  my own"


def test_show_prints_the_file_as_written(capsys) -> None:
    assert main(["scenarios", "show", "models-list"]) == 0
    assert capsys.readouterr().out == (builtin_dir() / "models-list.json").read_text()


def test_show_unknown_name_exits_2_with_a_hint(capsys) -> None:
    assert main(["scenarios", "show", "streaming-txt"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "did you mean 'streaming-text'" in captured.err


def test_check_reports_the_first_problem_with_file_line_and_field(capsys) -> None:
    path = BROKEN / "unknown-respond-key.yaml"
    assert main(["scenarios", "check", str(path)]) == 1
    assert capsys.readouterr().err.startswith(
        f"llama-contract scenarios: {path}:7: steps[0].respond.txt: unknown key 'txt'")


def test_check_accepts_the_builtin_folder(capsys) -> None:
    assert main(["scenarios", "check", str(builtin_dir())]) == 0
    assert len(capsys.readouterr().out.splitlines()) == len(builtin_names())



def test_show_finds_a_scenario_by_its_name_in_the_files_given_with_from(
    tmp_path, capsys, monkeypatch
) -> None:
    text = "name: weather\nsteps:\n  - respond: {text: Sunny.}\n"
    (tmp_path / "good").mkdir()
    (tmp_path / "good" / "weather.yaml").write_text(text)
    monkeypatch.chdir(tmp_path)
    assert main(["scenarios", "show", "weather", "--from", "good"]) == 0
    assert capsys.readouterr().out == text
    assert main(["scenarios", "show", "rain", "--from", "good"]) == 2
    assert "no file, folder or built-in scenario named 'rain'" in capsys.readouterr().err


def test_a_file_named_twice_by_itself_and_by_its_folder_is_loaded_once(tmp_path, capsys) -> None:
    (tmp_path / "weather.yaml").write_text("name: weather\nsteps:\n  - respond: {text: Sunny.}\n")
    assert main(["scenarios", "check", str(tmp_path), str(tmp_path / "weather.yaml")]) == 0
    assert capsys.readouterr().out == f"ok  weather  ({tmp_path / 'weather.yaml'})\n"


def test_check_reports_every_file_and_exits_1_when_any_has_a_problem(tmp_path, capsys) -> None:
    (tmp_path / "a.yaml").write_text("name: a-good\nsteps:\n  - respond: {text: Hi.}\n")
    (tmp_path / "b.yaml").write_text("name: b-bad\nsteps:\n  - respond: {txt: Hi.}\n")
    (tmp_path / "c.yaml").write_text("name: c-good\nsteps:\n  - respond: {text: Yo.}\n")
    (tmp_path / "d.yaml").write_text("name: a-good\nsteps:\n  - respond: {text: Again.}\n")
    assert main(["scenarios", "check", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        f"ok  a-good  ({tmp_path / 'a.yaml'})", f"ok  c-good  ({tmp_path / 'c.yaml'})"]
    errors = captured.err.splitlines()
    assert errors[0].startswith(f"llama-contract scenarios: {tmp_path / 'b.yaml'}:3: ")
    assert "unknown key 'txt'" in errors[0]
    assert f"'a-good' is already used by {tmp_path / 'a.yaml'}" in errors[1]
    assert errors[2] == "llama-contract scenarios: 2 of 4 file(s) have a problem"


def test_check_format_json_gives_one_document_with_each_file(tmp_path, capsys) -> None:
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text("name: fine\nsteps:\n  - respond: {text: Hi.}\n")
    bad.write_text("name: broken\nsteps: 3\n")
    assert main(["scenarios", "check", str(good), str(bad), "--format", "json"]) == 1
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["ok"] is False
    assert [(f["file"], f["ok"], f["scenarios"]) for f in report["files"]] == [
        (str(good), True, ["fine"]), (str(bad), False, [])]
    assert report["files"][0]["error"] is None
    assert report["files"][1]["error"].startswith(f"{bad}")
    assert captured.err == ""
    assert main(["scenarios", "check", str(good), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True


def test_check_with_a_path_that_names_nothing_exits_2_and_checks_no_file(tmp_path, capsys) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("name: fine\nsteps:\n  - respond: {text: Hi.}\n")
    (tmp_path / "empty").mkdir()
    for nothing in (tmp_path / "missing.yaml", tmp_path / "empty"):
        assert main(["scenarios", "check", str(good), str(nothing), "--format", "json"]) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        assert captured.err.startswith("llama-contract scenarios: ")
        assert str(nothing) in captured.err


def test_check_reports_built_in_names_given_beside_files_with_their_file(tmp_path, capsys) -> None:
    builtin = builtin_names()[0]
    builtin_file = str(builtin_scenario(builtin).source)
    assert builtin_file.startswith(str(builtin_dir()))
    same_name = tmp_path / "copy.yaml"
    same_name.write_text(f"name: {builtin}\nsteps:\n  - respond: {{text: Hi.}}\n")
    assert main(["scenarios", "check", builtin, str(same_name)]) == 1
    captured = capsys.readouterr()
    assert captured.out == f"ok  {builtin}  ({builtin_file})\n"
    assert f"the scenario name {builtin!r} is already used by {builtin_file}" in captured.err
    assert main(["scenarios", "check", builtin, str(same_name), "--format", "json"]) == 1
    files = json.loads(capsys.readouterr().out)["files"]
    assert [(f["file"], f["ok"], f["scenarios"]) for f in files] == [
        (builtin_file, True, [builtin]), (str(same_name), False, [])]
