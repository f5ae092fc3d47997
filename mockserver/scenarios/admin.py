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
import secrets
from typing import TYPE_CHECKING, Any, NamedTuple

from contract.reading import ReadError, parse_json
from contract.scenarios.build import build_scenario
from contract.scenarios.fault_forms import parse_fault_list, parse_fault_text
from contract.scenarios.faults import (
    FaultError,
    FaultSpec,
    check_fault_set,
    check_times,
    described,
    make_fault,
)
from contract.scenarios.loading import Scenario, builtin_names, parse_scenario
from contract.scenarios.source import ScenarioError, count_nodes, read_document
from contract.validate.explain import clip
from contract.violations import did_you_mean
from mockserver.core.errors import json_bytes, simple_error
from mockserver.core.http import MockRequest, MockResponse
from mockserver.scenarios.router import MAX_ACTIVE_SCENARIOS, NoMatch

if TYPE_CHECKING:
    from mockserver.scenarios.layer import ScenarioLayer
    from mockserver.state.store import Store

# Each chat request takes every standing fault, and each POST lists them all back.
MAX_STANDING_FAULTS = 100
_FAULT_BODY_KEYS = ("fault", "times")
_ENVELOPE_KEYS = ("scenarios", "replace", "first")
_YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")


class TakenUse(NamedTuple):
    """One use of a standing entry counted down by `AdminFaults.take`, enough to give it back."""

    tag: str  # the entry's own
    position: int  # where it stood in the list
    texts: list[str]
    names: frozenset[str]  # of its faults


class Taken(NamedTuple):
    faults: tuple[FaultSpec, ...] = ()
    uses: tuple[TakenUse, ...] = ()  # the entries counted down (not those without `times`)


class AdminFaults:
    """Faults set through the admin API: applied to every chat request, optionally N times.

    They live in the server's store (as fault texts), so on a shared store every worker and host
    applies them and counts `times` down together."""

    KEY = "admin:faults"

    def __init__(self, store: Store) -> None:
        self._store = store

    def _entries(self) -> list[list[Any]]:  # [[fault text, ...], remaining or None, tag]
        entries: list[list[Any]] = self._store.get(self.KEY) or []
        return entries

    def add(self, faults: tuple[FaultSpec, ...], times: int | None) -> None:
        texts = [str(fault) for fault in faults]
        tag = secrets.token_hex(6)

        def append(old: Any) -> list[list[Any]]:
            entries: list[list[Any]] = old or []
            if len(entries) >= MAX_STANDING_FAULTS:
                raise FaultError(f"at most {MAX_STANDING_FAULTS} standing faults at once; "
                                 "DELETE /_mock/faults to start again")
            return [*entries, [texts, times, tag]]

        self._store.update(self.KEY, append)

    def clear(self) -> None:
        self._store.update(self.KEY, lambda _old: [])

    def listed(self) -> list[dict[str, Any]]:
        return [{"faults": entry[0], "remaining": entry[1]} for entry in self._entries()]

    def __bool__(self) -> bool:
        return bool(self._entries())

    def take(self, *, stream: bool, replacing: bool = False, overridden: bool = False) -> Taken:
        """The standing faults for one request, counting down those set for N requests (one
        atomic step of the store, so two workers never both take a fault's last use). Faults
        that act on streams only are left, uncounted, for the next stream. With `replacing`,
        nothing is taken (or counted) unless a fault that replaces the answer is among them.
        With `overridden` (the request's header replaces the answer), a set of faults that only
        replace the answer is left, uncounted: the header's answer stands instead."""
        taken: list[FaultSpec] = []
        uses: list[TakenUse] = []

        def count_down(old: list[list[Any]] | None) -> list[list[Any]]:
            taken.clear()  # a shared store may run this again after a concurrent change
            uses.clear()
            kept = []
            for position, entry in enumerate(old or []):
                texts, remaining, tag = entry
                faults = [parse_fault_text(text) for text in texts]
                if (not stream and all(fault.kind.stream_only for fault in faults)) or (
                    overridden and all(fault.kind.role == "replace" for fault in faults)
                ):
                    kept.append(entry)
                    continue
                taken.extend(faults)
                if remaining is not None:
                    uses.append(TakenUse(tag, position, texts, frozenset(f.name for f in faults)))
                if remaining is None or remaining > 1:
                    kept.append([texts, None if remaining is None else remaining - 1, tag])
            if replacing and not any(fault.kind.role == "replace" for fault in taken):
                taken.clear()
                uses.clear()
                return old or []
            return kept

        if not self:
            return Taken()
        self._store.update(self.KEY, count_down)
        return Taken(tuple(taken), tuple(uses))

    def give_back(self, taken: Taken, idle: frozenset[str]) -> None:
        """Return the uses `taken` counted of entries whose every fault found nothing to act on
        (a stream fault beside a step's literal answer, `tool_call_as_text` on an answer without
        tool calls): such a fault waits for an answer it can change, as a stream-only one waits
        for a stream. An entry used up in between is put back where it stood."""
        returned = [use for use in taken.uses if use.names <= idle]
        if not returned:
            return

        def restore(old: list[list[Any]] | None) -> list[list[Any]]:
            entries = [list(entry) for entry in old or []]
            for use in returned:
                standing = next((entry for entry in entries if entry[2] == use.tag), None)
                if standing is not None:
                    standing[1] += 1
                elif len(entries) < MAX_STANDING_FAULTS:
                    entries.insert(min(use.position, len(entries)), [use.texts, 1, use.tag])
            return entries

        self._store.update(self.KEY, restore)


def _summary(scenario: Scenario) -> dict[str, Any]:
    return {
        "name": scenario.name,
        "description": scenario.description,
        "tags": list(scenario.tags),
        "steps": [step.name for step in scenario.steps],
        "source": str(scenario.source) if scenario.source else None,
    }


def _invalid(message: str, rule: str = "scenario.invalid") -> MockResponse:
    return simple_error(400, rule, message, dialect="native")


def _read_scenarios(
    request: MockRequest, layer: ScenarioLayer
) -> tuple[list[Scenario], bool, bool]:
    """The scenarios a POST names or carries, whether they replace the active ones, and whether
    they stand in front of them."""
    content_type = request.header("content-type").split(";", 1)[0].strip().lower()
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError("the body is not UTF-8", file="<request body>") from None
    if content_type in _YAML_TYPES:
        return [parse_scenario(text, file="<request body>")], False, False
    try:
        parsed: Any = json.loads(text)
    except (ValueError, RecursionError):
        parsed = None  # parse_json says what is wrong
    count_nodes(parsed, "<request body>")  # cheap, before the slower walks below
    try:
        parse_json(request.body)  # the rules of chat bodies: depth, numbers, surrogates
    except ReadError as exc:
        raise ScenarioError(f"the body is not JSON: {exc.violation.message}",
                            file="<request body>") from None
    document, lines = read_document(text, file="<request body>", json_syntax=True)
    if isinstance(document, dict) and "steps" in document:
        return [build_scenario(document, file="<request body>", lines=lines)], False, False
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
    scenarios: list[Scenario] = []
    for index, item in enumerate(document["scenarios"]):
        where = f"<request body, scenarios[{index}]>"
        if isinstance(item, str):
            found = layer.router.find(item, admin=True)
            if isinstance(found, NoMatch):
                raise ScenarioError(found.message, file=where)
            scenarios.append(found)
        elif isinstance(item, dict):
            scenarios.append(build_scenario(item, file=where,
                                            lines=lines.within(("scenarios", index))))
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
    if request.method == "POST":
        try:
            scenarios, replace, first = _read_scenarios(request, layer)
            router.activate(scenarios, replace=replace, first=first)
        except ScenarioError as exc:
            return _invalid(str(exc))
    elif request.method == "DELETE" and request.body.strip():
        try:
            names = _names_to_deactivate(request)
        except ScenarioError as exc:
            return _invalid(str(exc))
        for name in names:  # a name not active is already what was asked
            router.deactivate(name)
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
