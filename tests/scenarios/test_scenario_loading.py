"""Loading scenarios: the format, file resolution, the built-in library, and safe YAML."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from contract.scenarios.fault_forms import fault_schema_defs
from contract.scenarios.loading import (
    ScenarioError,
    builtin_dir,
    builtin_names,
    builtin_scenarios,
    load_scenario,
    load_scenarios,
    parse_scenario,
    scenario_schema,
    scenario_sources,
)

FULL = """\
name: full-example
description: every part of a step
tags: [tools, retries]
when_done: fail
steps:
  - name: call
    description: the model calls a tool
    match:
      endpoint: native
      path: /chat/completions
      model: [Llama-4-Maverick-17B-128E-Instruct-FP8]
      stream: false
      tools: [get_weather]
      tool_result: false
      last_user_message: {contains: weather, regex: "(?i)paris|rome"}
      headers: {X-Tenant: blue}
    request:
      model: Llama-4-Maverick-17B-128E-Instruct-FP8
      messages: [{role: user, content: weather in Paris}]
    respond:
      tool_calls:
        - {id: call_1, name: get_weather, arguments: {city: Paris}}
        - {name: get_time, arguments: '{"tz": "CET"}'}
      metrics: {prompt_tokens: 10, completion_tokens: 5}
      headers: {x-extra: "1"}
    fault: ["latency; ms=5", {name: fail_then_succeed, times: 2, status: 503}]
    expect: {status: 200, tool_called: [get_weather], tool_calls: 2, requests: 3}
    times: 2
  - name: answer
    match: {tool_result: true}
    respond: {document: {city: Paris}, pacing: {ttft_ms: 5}}
"""


def test_a_full_scenario_loads_into_typed_steps(tmp_path: Path) -> None:
    path = tmp_path / "full.yaml"
    path.write_text(FULL)
    scenario = load_scenario(path)
    assert (scenario.name, scenario.tags, scenario.when_done) == (
        "full-example", ("tools", "retries"), "fail")
    assert scenario.source == path
    call, answer = scenario.steps
    assert call.times == 2
    assert call.line == 6
    assert call.match.path == "/v1/chat/completions"
    assert call.match.tool_names == ("get_weather",)
    assert call.match.tools is True
    assert call.match.headers == (("x-tenant", "blue"),)
    assert call.match.user_regex is not None
    assert call.match.user_regex.search("ROME")
    assert [c.arguments for c in call.respond.tool_calls] == ['{"city":"Paris"}', '{"tz": "CET"}']
    assert call.respond.resolved_stop_reason == "tool_calls"
    assert [str(f) for f in call.faults] == [
        "latency; distribution=fixed; ms=5", "fail_then_succeed; times=2; status=503"]
    assert call.expect is not None
    assert call.expect.requests == 3
    assert answer.name == "answer"
    assert answer.respond is not None
    assert answer.respond.content_text == '{"city":"Paris"}'
    assert answer.respond.pacing is not None
    assert answer.respond.pacing.ttft_ms == 5


def test_json_files_load_with_lines_even_with_tab_indentation(tmp_path: Path) -> None:
    document = {"name": "tabbed", "steps": [{"respond": {"text": "hi"}}, {"respond": {"txt": 1}}]}
    path = tmp_path / "tabbed.json"
    path.write_text(json.dumps(document, indent="\t"))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert caught.value.field == "steps[1].respond.txt"
    assert caught.value.line == path.read_text().splitlines().index('\t\t\t\t"txt": 1') + 1


def test_steps_get_default_names_and_one_time(tmp_path: Path) -> None:
    scenario = parse_scenario("name: d\nsteps:\n  - respond: {text: a}\n  - {}\n")
    assert [(s.name, s.times, s.respond is None) for s in scenario.steps] == [
        ("step-1", 1, False), ("step-2", 1, True)]


@pytest.mark.parametrize(("text", "fragment"), [
    ("name: x\nsteps:\n  - respond: !!python/object/apply:os.system ['echo hacked']\n",
     "could not determine a constructor"),
    ("name: x\nsteps: [{respond: {text: !!binary aGk=}}]\n", "a YAML bytes is not allowed"),
    ("name: x\nsteps: [{respond: {text: .nan}}]\n", "NaN"),
    ("name: x\nsteps: [{respond: {1: a}}]\n", "is not a string"),
    ("name: [unclosed\n", "not valid YAML"),
    ("", "the file is empty"),
])
def test_yaml_that_is_not_plain_data_is_refused(text: str, fragment: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, file="inline.yaml")
    assert fragment in str(caught.value)
    assert caught.value.file == "inline.yaml"


def test_alias_expansion_is_bounded() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1},"
              f" *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 9)]
    with pytest.raises(ScenarioError, match="more than 20000 nodes"):
        parse_scenario("\n".join(lines) + "\n")


def test_files_folders_and_builtin_names_resolve(tmp_path: Path) -> None:
    (tmp_path / "one.yaml").write_text("name: one\nsteps: [{respond: {text: a}}]\n")
    (tmp_path / "two.json").write_text('{"name": "two", "steps": [{}]}')
    (tmp_path / "notes.txt").write_text("not a scenario")
    loaded = load_scenarios([tmp_path, "streaming-text"])
    assert [s.name for s in loaded] == ["one", "two", "streaming-text"]


def test_scenario_sources_are_each_file_once_then_built_in_names_in_order(tmp_path: Path) -> None:
    (tmp_path / "one.yaml").write_text("name: one\nsteps: [{respond: {text: a}}]\n")
    (tmp_path / "two.json").write_text('{"name": "two", "steps": [{}]}')
    (tmp_path / "notes.txt").write_text("not a scenario")
    named_twice = str(tmp_path / "two.json")
    sources = scenario_sources([named_twice, tmp_path, "streaming-text"])
    assert sources == [tmp_path / "two.json", tmp_path / "one.yaml", "streaming-text"]
    with pytest.raises(ScenarioError, match="no such file or folder"):
        scenario_sources([tmp_path, str(tmp_path / "gone.yaml")])


def test_unknown_names_and_missing_paths_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="did you mean 'streaming-text'"):
        load_scenarios(["streaming-txt"])
    missing = tmp_path / "missing.yaml"
    with pytest.raises(ScenarioError, match="no such file or folder") as caught:
        load_scenarios([str(missing)])
    assert caught.value.file == str(missing)


def test_scenario_names_are_unique_across_loaded_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("name: same\nsteps: [{}]\n")
    (tmp_path / "b.yaml").write_text("name: same\nsteps: [{}]\n")
    with pytest.raises(ScenarioError, match="already used by"):
        load_scenarios([tmp_path])


def test_builtin_library_has_the_cases_the_issue_lists() -> None:
    names = set(builtin_names())
    assert len(list(builtin_dir().glob("*.yaml")) + list(builtin_dir().glob("*.json"))) >= 25
    required = {
        "seed-example", "system-and-user", "multi-turn", "image-url", "image-base64",
        "tool-round-trip-native", "tool-round-trip-compat", "parallel-tool-calls",
        "structured-output", "streaming-text", "streamed-tool-call", "length-stop",
        "rate-limit-then-success", "unavailable-twice-then-success", "mid-stream-error",
        "truncated-stream", "moderation", "models-list", "agent-loop",
    }
    assert required <= names
    statuses = {s.steps[0].expect.status for s in builtin_scenarios()
                if s.name.startswith("error-") and s.steps[0].expect is not None}
    assert statuses == {400, 401, 403, 404, 409, 422, 429, 500}


def test_every_builtin_file_validates_against_the_published_schema() -> None:
    import yaml

    validator = jsonschema.Draft202012Validator(scenario_schema())
    for path in sorted(builtin_dir().iterdir()):
        if path.suffix in (".yaml", ".json"):
            data = yaml.safe_load(path.read_text())
            assert list(validator.iter_errors(data)) == [], path.name


def test_published_schema_is_valid_and_its_faults_match_the_vocabulary() -> None:
    schema = scenario_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"] == "https://llama-api-contract.dev/schemas/scenario.json"
    generated = fault_schema_defs()
    published = {k: v for k, v in schema["$defs"].items() if k in generated}
    # On drift, replace those $defs in contract/schemas/scenario.json by fault_schema_defs().
    assert published == generated


def test_a_long_value_the_schema_refuses_is_quoted_cut() -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(f"name: x\nwhen_done: {'z' * 300}\nsteps: [{{}}]\n")
    assert f"{'z' * 300!r}"[:57] + "... is not allowed; use one of: " in str(caught.value)
