"""Admin API for scenarios and faults (framework-free: `MockRequest` in, `MockResponse` out).

- `GET /_mock/scenarios`: the active scenarios and the built-in names.
- `POST /_mock/scenarios`: activate scenarios. JSON `{"scenarios": [NAME or scenario document, ...],
  "replace": true}`, or one scenario document as YAML (`Content-Type: application/yaml`) or JSON.
  With `"first": true` (and `"replace": false`) they stand in front of the active ones.
- `DELETE /_mock/scenarios`: deactivate all and forget their progress; with a body
  `{"scenarios": [NAME, ...]}`, only those.
- `GET /_mock/faults`, `POST /_mock/faults` (`{"fault": "NAME; key=value" or object or list,
  "times": N}`; without `times` until deleted), `DELETE /_mock/faults`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from contract.reading import ReadError, parse_json
from contract.scenarios.build import build_scenario
from contract.scenarios.fault_forms import parse_fault_list
from contract.scenarios.faults import (
    FaultError,
    FaultSpec,
    check_fault_set,
    check_times,
    described,
    make_fault,
)
from contract.scenarios.loading import Scenario, builtin_names
from contract.scenarios.source import ScenarioError, count_nodes, read_document
from contract.validate.explain import clip
from contract.violations import did_you_mean
from mockserver.core.errors import json_bytes, simple_error
from mockserver.core.http import MockRequest, MockResponse
from mockserver.scenarios.active import (
    LIST_KEY,
    MAX_ACTIVE_SCENARIOS,
    Item,
    ScenarioTooLarge,
    make_item,
)
from mockserver.scenarios.router import NoMatch

if TYPE_CHECKING:
    from mockserver.scenarios.layer import ScenarioLayer

_FAULT_BODY_KEYS = ("fault", "times")
_ENVELOPE_KEYS = ("scenarios", "replace", "first")
_YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")


def _summary(scenario: Scenario) -> dict[str, Any]:
    return {
        "name": scenario.name,
        "description": scenario.description,
        "tags": list(scenario.tags),
        "steps": [step.name for step in scenario.steps],
        "source": str(scenario.source) if scenario.source else None,
    }


class _UnknownName(ScenarioError):
    """A scenario named in the body that is neither active nor built in (rule scenario.unknown)."""


def _invalid(message: str, rule: str = "scenario.invalid") -> MockResponse:
    return simple_error(400, rule, message, dialect="native")


def _read_scenarios(
    request: MockRequest, layer: ScenarioLayer
) -> tuple[list[tuple[Scenario, Item]], bool, bool]:
    """The scenarios a POST names or carries (each with the item another worker rebuilds it
    from), whether they replace the active ones, and whether they stand in front of them."""
    content_type = request.header("content-type").split(";", 1)[0].strip().lower()
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError("the body is not UTF-8", file="<request body>") from None
    if content_type in _YAML_TYPES:
        data, lines = read_document(text, file="<request body>")
        scenario = build_scenario(data, file="<request body>", lines=lines)
        return [(scenario, make_item(scenario, "document", data))], False, False
    try:
        parsed: Any = json.loads(text)
    except (ValueError, RecursionError):
        parsed = None  # parse_json says what is wrong
    count_nodes(parsed, "<request body>")  # cheap, before the slower walks below
    try:
        parse_json(request.body)  # the rules of chat bodies: depth, numbers, surrogates
    except ReadError as exc:
        hint = ("; a YAML scenario goes with 'Content-Type: application/yaml'"
                if content_type not in ("application/json",) else "")  # fmt: skip
        raise ScenarioError(f"the body is not JSON: {exc.violation.message}{hint}",
                            file="<request body>") from None
    document, lines = read_document(text, file="<request body>", json_syntax=True)
    if isinstance(document, dict) and "steps" in document:
        scenario = build_scenario(document, file="<request body>", lines=lines)
        return [(scenario, make_item(scenario, "document", document))], False, False
    if not isinstance(document, dict) or not isinstance(document.get("scenarios"), list):
        raise ScenarioError(
            'send {"scenarios": [NAME or scenario, ...], "replace": true}, or one scenario',
            file="<request body>",
        )
    unknown = sorted(set(document) - set(_ENVELOPE_KEYS))
    if unknown:
        raise ScenarioError(f"unknown key {clip(unknown[0])!r}; the keys are scenarios, replace "
                            "and first", file="<request body>", field=(unknown[0],))
    replace, first = document.get("replace", True), document.get("first", False)
    for key, value in (("replace", replace), ("first", first)):
        if not isinstance(value, bool):
            raise ScenarioError(f"{key} must be true or false", file="<request body>",
                                field=(key,))
    if replace and first:
        raise ScenarioError('"first": true puts scenarios in front of the active ones; it needs '
                            '"replace": false', file="<request body>", field=("first",))
    scenarios: list[tuple[Scenario, Item]] = []
    for index, item in enumerate(document["scenarios"]):
        where = f"<request body, scenarios[{index}]>"
        if isinstance(item, str):
            found = layer.router.find(item, admin=True)
            if isinstance(found, NoMatch):
                raise _UnknownName(found.message, file=where)
            active = layer.router.list.item(item)  # an active one goes on as it was given
            scenarios.append((found, active if active is not None else make_item(found, "builtin")))
        elif isinstance(item, dict):
            built = build_scenario(item, file=where, lines=lines.within(("scenarios", index)))
            scenarios.append((built, make_item(built, "document", item)))
        else:
            raise ScenarioError("give a scenario name or a scenario object", file=where)
    return scenarios, replace, first


def _names_to_deactivate(request: MockRequest) -> list[str]:
    """The names a DELETE with a body `{"scenarios": [NAME, ...]}` deactivates."""
    try:
        document = parse_json(request.body)
    except ReadError as exc:
        raise ScenarioError(f"the body is not JSON: {exc.violation.message}",
                            file="<request body>") from None
    names = document.get("scenarios") if isinstance(document, dict) else None
    if (
        not isinstance(document, dict)
        or set(document) != {"scenarios"}
        or not isinstance(names, list)
        or not names
        or not all(isinstance(name, str) for name in names)
    ):
        raise ScenarioError('send {"scenarios": [NAME, ...]} to deactivate those scenarios, or no '
                            "body to deactivate all", file="<request body>")
    if len(names) > MAX_ACTIVE_SCENARIOS:
        raise ScenarioError(f"at most {MAX_ACTIVE_SCENARIOS} names; at most that many are active",
                            file="<request body>", field=("scenarios",))
    return names


def admin_scenarios(layer: ScenarioLayer, request: MockRequest) -> MockResponse:
    router = layer.router
    if router.shared:  # the list every worker serves, as it is now in the store
        router.refresh(LIST_KEY)
    if request.method == "POST":
        try:
            scenarios, replace, first = _read_scenarios(request, layer)
            router.activate([s for s, _ in scenarios], replace=replace, first=first,
                            items=[item for _, item in scenarios])
        except _UnknownName as exc:
            return _invalid(str(exc), "scenario.unknown")
        except ScenarioTooLarge as exc:
            return simple_error(413, "scenario.too_large", str(exc), dialect="native")
        except ScenarioError as exc:
            return _invalid(str(exc))
    elif request.method == "DELETE" and request.body.strip():
        try:
            names = _names_to_deactivate(request)
        except ScenarioError as exc:
            return _invalid(str(exc))
        router.deactivate(*names)  # a name not active is already what was asked
    elif request.method == "DELETE":
        router.activate((), replace=True)
        return MockResponse(204, b"")
    body = {"active": [_summary(s) for s in router.active], "builtin": builtin_names()}
    return MockResponse(200, json_bytes(body))


def _fault_items(value: Any) -> tuple[FaultSpec, ...]:
    """The faults of a POST /_mock/faults body's `fault`: a text (several separated by commas, as
    in x-mock-fault), an object with a name, or a non-empty list of those."""
    if isinstance(value, list) and not value:
        raise FaultError("fault: the list is empty; give at least one fault")
    items = value if isinstance(value, list) else [value]
    specs: list[FaultSpec] = []
    for index, item in enumerate(items):
        where = f"fault[{index}]" if isinstance(value, list) else "fault"
        try:
            if isinstance(item, str):
                specs.extend(parse_fault_list(item))
            elif isinstance(item, dict) and isinstance(item.get("name"), str):
                params = {key: val for key, val in item.items() if key != "name"}
                specs.append(make_fault(item["name"], params))
            else:
                raise FaultError(f'a fault is "NAME; key=value; ..." or {{"name": NAME, ...}}, '
                                 f"got {described(item)}")
        except FaultError as exc:
            raise FaultError(f"{where}: {exc.message}", fault=exc.fault, key=exc.key) from None
    try:
        check_fault_set(tuple(specs))
    except FaultError as exc:
        raise FaultError(f"fault: {exc.message}", fault=exc.fault) from None
    return tuple(specs)


def _standing_fault(document: Any) -> tuple[tuple[FaultSpec, ...], int | None]:
    """The faults and `times` of a POST /_mock/faults body, every key checked."""
    if not isinstance(document, dict) or "fault" not in document:
        raise FaultError('send {"fault": "NAME; key=value", "times": N}; got '
                         + (described(document) if not isinstance(document, dict)
                            else "no fault key"))
    for key in document:
        if key not in _FAULT_BODY_KEYS:
            raise FaultError(f"unknown key {clip(key)!r}{did_you_mean(key, _FAULT_BODY_KEYS)} "
                             "(the body takes fault and times)", key=key)
    times = check_times(document["times"]) if "times" in document else None
    return _fault_items(document["fault"]), times


def admin_faults(layer: ScenarioLayer, request: MockRequest) -> MockResponse:
    faults = layer.standing_faults
    if request.method == "POST":
        try:
            document = parse_json(request.body)
        except ReadError as exc:
            return _invalid(f"the body is not JSON: {exc.violation.message}", "fault.invalid")
        try:
            faults.add(*_standing_fault(document))
        except FaultError as exc:
            return _invalid(exc.message, "fault.invalid")
    elif request.method == "DELETE":
        faults.clear()
        return MockResponse(204, b"")
    return MockResponse(200, json_bytes({"faults": faults.listed()}))
