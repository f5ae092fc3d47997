"""From parsed scenario data to a checked `Scenario`: schema first, then what a schema cannot say.

Every problem becomes a `ScenarioError` naming the file, the line and the field.
"""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NoReturn

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from contract.scenarios.expect_rules import check_expect
from contract.scenarios.fault_forms import object_param_problem, parse_fault_list
from contract.scenarios.faults import FaultError, FaultSpec, check_fault_set, make_fault
from contract.scenarios.model import (
    Expect,
    Match,
    Pacing,
    Respond,
    Scenario,
    Step,
    ToolCallSpec,
)
from contract.scenarios.patterns import ScenarioPattern, UnsafePattern, compile_safe
from contract.scenarios.respond_rules import check_respond, fault_problem, respond_problem
from contract.scenarios.source import LineMap, PathParts, ScenarioError
from contract.validate.explain import clip
from contract.violations import did_you_mean

SCHEMA_FILE = "scenario.json"
_MAX_SCHEMA_ERRORS = 20


@functools.cache
def scenario_schema() -> dict[str, Any]:
    """The published JSON Schema of scenario files (`contract/schemas/scenario.json`)."""
    text = (Path(__file__).parents[1] / "schemas" / SCHEMA_FILE).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@functools.cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(scenario_schema())


_JSON_TYPES = {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
               int: "an integer", float: "a number", type(None): "null"}


def _json_type(value: object) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _schema_problem(error: ValidationError) -> tuple[PathParts, PathParts, str]:
    """(field, where its line is, message) for a jsonschema error."""
    parts: PathParts = tuple(error.absolute_path)
    instance: Any = error.instance
    value: Any = error.validator_value
    schema: Mapping[str, Any] = error.schema if isinstance(error.schema, Mapping) else {}
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        known = sorted(schema.get("properties", {}))
        extra = next(key for key in instance if key not in known)
        hint = did_you_mean(extra, known)
        allowed = ("known keys: " + ", ".join(known)) if known else "no keys are allowed"
        return (*parts, extra), (*parts, extra), f"unknown key {extra!r}{hint} ({allowed})"
    if error.validator == "required" and isinstance(instance, dict):
        missing = next(key for key in value if key not in instance)
        return (*parts, missing), parts, f"missing required key {missing!r}"
    if error.validator == "type":
        wanted = value if isinstance(value, list) else [value]
        found = _json_type(instance)
        if isinstance(instance, str | int | float | bool) and len(repr(instance)) <= 40:
            found += f" ({json.dumps(instance)})"
        return parts, parts, f"expected {' or '.join(wanted)}, found {found}"
    if error.validator in ("enum", "const"):
        options = value if error.validator == "enum" else [value]
        return parts, parts, (f"{clip(repr(instance), limit=60)} is not allowed; use one of: "
                              + ", ".join(json.dumps(option) for option in options))
    if error.validator == "pattern":
        why = schema.get("description") or f"it must match {value}"
        return parts, parts, f"{clip(repr(instance), limit=60)} is not valid: {why}"
    if error.validator in ("minLength", "maxLength") and isinstance(instance, str):
        relation = "at least" if error.validator == "minLength" else "at most"
        return parts, parts, (f"{clip(repr(instance), limit=60)} has {len(instance):,} "
                              f"characters; it must have {relation} {value:,}")
    if error.validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        relation = {"minimum": "at least", "maximum": "at most", "exclusiveMinimum": "above",
                    "exclusiveMaximum": "below"}[str(error.validator)]
        shown = f"{value:.4g}" if isinstance(value, float) and not value.is_integer() else value
        return parts, parts, f"{instance} is out of range; it must be {relation} {shown}"
    return parts, parts, error.message


def check_schema(data: Any, *, file: str, lines: LineMap) -> None:
    # The best of the first errors: a document with thousands of bad items would list them all.
    error = best_match(itertools.islice(_validator().iter_errors(data), _MAX_SCHEMA_ERRORS))
    if error is not None:
        field, at, message = _schema_problem(error)
        if "fault" in field[-3:-1]:  # a fault parameter: in make_fault's words, as anywhere else
            item = functools.reduce(lambda node, part: node[part], field[:-1], data)
            refused = object_param_problem(item, field[-1])
            message = refused.message if refused is not None else message
        elif len(field) == 4 and field[2] == "respond":  # a status or a body key: the rules' words
            message = respond_problem(data["steps"][field[1]]["respond"], field[3]) or message
        raise ScenarioError(message, file=file, line=lines.line(at), field=field)


class _Builder:
    """Turns schema-valid data into dataclasses, raising `ScenarioError` with lines on problems."""

    def __init__(self, file: str, lines: LineMap) -> None:
        self.file = file
        self.lines = lines

    def fail(self, parts: PathParts, message: str) -> NoReturn:
        raise ScenarioError(message, file=self.file, line=self.lines.line(parts), field=parts)

    def regex(self, pattern: str, parts: PathParts) -> ScenarioPattern:
        try:
            return compile_safe(pattern)
        except UnsafePattern as exc:
            self.fail(parts, str(exc))

    def scenario(self, data: Mapping[str, Any], source: Path | None) -> Scenario:
        steps = tuple(self.step(index, item) for index, item in enumerate(data["steps"]))
        seen: dict[str, int] = {}
        for step in steps:
            if step.name in seen:
                self.fail(("steps", step.index, "name"), f"the step name {step.name!r} is "
                          f"already used by step {seen[step.name] + 1}")
            seen[step.name] = step.index
        when_done = data.get("when_done", "repeat_last")
        for step in steps:
            check_expect(step, last=step is steps[-1], when_done=when_done,
                         at=("steps", step.index, "expect"), fail=self.fail)
        return Scenario(
            name=data["name"], steps=steps, description=data.get("description", ""),
            tags=tuple(data.get("tags", ())), when_done=when_done,
            source=source,
        )

    def step(self, index: int, data: Mapping[str, Any]) -> Step:
        at: PathParts = ("steps", index)
        match = self.match(data.get("match", {}), (*at, "match"))
        respond = self.respond(data["respond"], (*at, "respond")) if "respond" in data else None
        faults = self.faults(data["fault"], (*at, "fault")) if "fault" in data else ()
        expect = self.expect(data["expect"], (*at, "expect")) if "expect" in data else None
        self.check_coherence(at, match, respond, faults)
        return Step(
            index=index, name=data.get("name", f"step-{index + 1}"), match=match, respond=respond,
            faults=faults, expect=expect, times=data.get("times", 1), request=data.get("request"),
            description=data.get("description", ""), line=self.lines.line(at),
        )

    def match(self, data: Mapping[str, Any], at: PathParts) -> Match:
        model = data.get("model")
        tools = data.get("tools")
        user = data.get("last_user_message", {})
        regex = self.regex(user["regex"], (*at, "last_user_message", "regex")) \
            if "regex" in user else None
        path = data.get("path")
        if isinstance(path, str) and not path.startswith(("/v1/", "/compat/v1/")):
            path = "/v1" + path
        return Match(
            endpoint=data.get("endpoint"), path=path.rstrip("/") if path else None,
            models=(model,) if isinstance(model, str) else tuple(model or ()),
            stream=data.get("stream"),
            tools=True if isinstance(tools, list) else tools,
            tool_names=tuple(tools) if isinstance(tools, list) else (),
            tool_result=data.get("tool_result"), user_contains=user.get("contains"),
            user_regex=regex,
            headers=tuple((name.lower(), value) for name, value in data.get("headers", {}).items()),
        )

    def respond(self, data: Mapping[str, Any], at: PathParts) -> Respond:
        calls = tuple(
            ToolCallSpec(name=call["name"], id=call.get("id"),
                         arguments=_arguments_text(call.get("arguments", {})))
            for call in data.get("tool_calls", ())
        )
        metrics = data.get("metrics", {})
        pacing = data.get("pacing")
        respond = Respond(
            text=data.get("text"), tool_calls=calls, document=data.get("document"),
            stop_reason=data.get("stop_reason"), prompt_tokens=metrics.get("prompt_tokens"),
            completion_tokens=metrics.get("completion_tokens"), status=data.get("status", 200),
            error=data.get("error"), headers=tuple(data.get("headers", {}).items()),
            pacing=Pacing(**pacing) if pacing else None, body=data.get("body"),
            has_body="body" in data, deltas=tuple(data.get("deltas", ())),
        )
        check_respond(respond, data, at, self.fail)
        return respond

    def faults(self, data: Any, at: PathParts) -> tuple[FaultSpec, ...]:
        items = data if isinstance(data, list) else [data]
        specs: list[FaultSpec] = []
        for index, item in enumerate(items):
            where = (*at, index) if isinstance(data, list) else at
            try:
                if isinstance(item, str):
                    specs.extend(parse_fault_list(item))  # as in x-mock-fault
                else:
                    params = {key: value for key, value in item.items() if key != "name"}
                    specs.append(make_fault(item["name"], params))
            except FaultError as exc:
                key_at = (*where, exc.key) if exc.key and isinstance(item, dict) else where
                self.fail(key_at, exc.message)
        try:
            check_fault_set(tuple(specs))
        except FaultError as exc:
            self.fail(at, exc.message)
        return tuple(specs)

    def check_coherence(self, at: PathParts, match: Match, respond: Respond | None,
                        faults: tuple[FaultSpec, ...]) -> None:
        for spec in faults:
            if spec.kind.stream_only and match.stream is not True:
                self.fail((*at, "fault"), f"the fault {spec.name} only affects streams; add "
                                          "'stream: true' to this step's match")
            bodiless = fault_problem(respond, spec.name, spec.kind.role)
            if bodiless is not None:
                self.fail((*at, "fault"), bodiless)
            # fail_then_succeed and redirect send the step's answer in the end.
            answers_later = spec.name in ("fail_then_succeed", "redirect") and not (
                respond is not None and respond.is_error)
            if spec.kind.role == "replace" and respond is not None and respond.scripted \
                    and not answers_later:
                self.fail((*at, "fault"), f"the fault {spec.name} replaces the answer, so "
                                          "this step's respond would never be sent")
            if spec.name == "tool_call_as_text" and respond is not None and respond.scripted \
                    and not respond.tool_calls:
                self.fail((*at, "fault"), "tool_call_as_text rewrites tool calls into text; "
                                          "this step's respond has no tool_calls")

    def expect(self, data: Mapping[str, Any], at: PathParts) -> Expect:
        called = data.get("tool_called", ())
        regex = self.regex(data["text_matches"], (*at, "text_matches")) \
            if "text_matches" in data else None
        return Expect(
            status=data.get("status"), stop_reason=data.get("stop_reason"),
            text_contains=data.get("text_contains"), text_regex=regex,
            tools_called=(called,) if isinstance(called, str) else tuple(called),
            tool_calls=data.get("tool_calls"), document=data.get("document"),
            raises=data.get("raises"), requests=data.get("requests"),
            min_retry_wait_ms=data.get("min_retry_wait_ms"),
            warnings=tuple(data.get("warnings", ())),
        )


def _arguments_text(arguments: Any) -> str:
    if isinstance(arguments, str):
        return arguments
    return json.dumps(arguments, ensure_ascii=False, separators=(",", ":"))


def build_scenario(
    data: Any, *, file: str, lines: LineMap, source: Path | None = None
) -> Scenario:
    """Check `data` against the scenario schema and the semantic rules; build the `Scenario`."""
    check_schema(data, file=file, lines=lines)
    return _Builder(file, lines).scenario(data, source)
