"""Which scenario step answers a request, and how conversations advance through the steps.

State lives in the server's `Store` (thread-safe; one process), under keys starting `scenario:`.

- With an `x-mock-session` header, a conversation is that session: each answer advances it by one,
  so parallel tests with different sessions never disturb each other.
- Without one, a conversation is recognised by its history (its messages before the last turn).
  An answer moves the state to the history the next turn will have, so the same conversation
  always gets the same steps, whichever client sends it, and an identical retry of a request
  whose answer was an error gets the step after that error.

A step answers `times` requests, then the next step takes over. After the last step: `when_done`
`repeat_last` (default) keeps answering with it, `restart` starts again, `fail` refuses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from contract.scenarios.loading import Scenario, Step, builtin_names, builtin_scenario
from contract.scenarios.match import (
    MatchRequest,
    closeness,
    continuation_key,
    history_key,
    match_request,
    request_key,
)
from contract.scenarios.source import ScenarioError
from contract.validate.explain import clip
from contract.violations import did_you_mean
from mockserver.scenarios.active import (
    MAX_ACTIVE_SCENARIOS as MAX_ACTIVE_SCENARIOS,
)
from mockserver.scenarios.active import (
    ActiveList,
    Item,
    combine,
    make_item,
    without,
)
from mockserver.state.store import Store

STATE_PREFIX = "scenario:"
_MAX_TIED_SHOWN = 3  # scenarios named when several came as close
Position = tuple[int, int]  # (step index, answers given by that step)
# How to load a scenario a name does not find: the header picks one, the admin API takes names or
# the scenario itself; neither reads a file.
_LOAD_HINT_HEADER = (
    "; the header picks a loaded or built-in scenario and loads no file: start the mock with "
    "--scenarios FILE, or POST the scenario to /_mock/scenarios (JSON, or YAML with Content-Type: "
    "application/yaml); 'llama-contract scenarios list' shows the built-in ones")
_LOAD_HINT_ADMIN = (
    "; the admin API reads no file: POST the scenario itself (an object in \"scenarios\", or one "
    "scenario as YAML with Content-Type: application/yaml), or start the mock with --scenarios "
    "FILE; 'llama-contract scenarios list' shows the built-in ones")


def next_position(scenario: Scenario, position: Position) -> Position:
    index, used = position
    used += 1
    if used < scenario.steps[index].times:
        return index, used
    if index + 1 < len(scenario.steps):
        return index + 1, 0
    if scenario.when_done == "restart":
        return 0, 0
    if scenario.when_done == "fail":
        return len(scenario.steps), 0
    return index, scenario.steps[index].times  # repeat_last: stay on the last step


def _position(value: Any) -> Position | None:
    """A stored position (a shared store may hand back a list)."""
    if isinstance(value, tuple | list) and len(value) == 2:
        return int(value[0]), int(value[1])
    return None


@dataclass(frozen=True, slots=True)
class Selection:
    """The step that answers a request, and where its conversation's state lives."""

    scenario: Scenario
    step: Step
    position: Position
    session: str | None
    request_key: str
    messages: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class NoMatch:
    """Why no step answers: `rule` is scenario.no_match, scenario.finished or scenario.unknown."""

    rule: str
    message: str
    scenario: str | None = None
    step: str | None = None


class ScenarioState:
    """Progress of every conversation through every scenario."""

    def __init__(self, store: Store) -> None:
        self._store = store

    @staticmethod
    def _key(scenario: Scenario, suffix: str) -> str:
        return f"{STATE_PREFIX}{scenario.name}:{suffix}"

    def position(self, scenario: Scenario, request: MatchRequest, *, session: str | None,
                 request_id: str) -> Position:
        suffixes = [f"session:{session}"] if session else [
            request_id, history_key(request.messages)]
        for suffix in suffixes:
            found = _position(self._store.get(self._key(scenario, suffix)))
            if found is not None:
                return found
        return 0, 0

    def advance(self, selection: Selection, *, answer: Mapping[str, Any] | None) -> None:
        """Record that `selection` answered. `answer` is the assistant message the client got, or
        None when it got no usable answer (an error, a broken stream)."""
        scenario = selection.scenario
        if selection.session:
            key = self._key(scenario, "session:" + selection.session)
            self._store.update(
                key, lambda old: next_position(scenario, _position(old) or (0, 0)))
            return
        moved = next_position(scenario, selection.position)
        if answer is None:
            key = self._key(scenario, selection.request_key)
        else:
            key = self._key(scenario, continuation_key(selection.messages, answer))
        self._store.update(key, lambda _old: moved)

    def clear(self, scenario: str | None = None) -> None:
        self._store.clear_state(STATE_PREFIX + (f"{scenario}:" if scenario else ""))


class ScenarioRouter:
    """The active scenarios and the choice of a step for each request.

    In one process the list is the router's own; on a shared store it lives in the store, and
    `refresh()`, which each chat and admin request calls first there, brings this worker's copy
    up to date (mockserver.scenarios.active)."""

    def __init__(self, store: Store, scenarios: Iterable[Scenario] = ()) -> None:
        self.state = ScenarioState(store)
        # Progress already in the store is kept: on a shared store, a worker that starts late
        # must not reset the conversations the other workers are serving.
        self.list = ActiveList(store, tuple(scenarios))
        self.shared = self.list.shared
        self.refresh = self.list.refresh

    @property
    def active(self) -> tuple[Scenario, ...]:
        return self.list.scenarios

    def activate(
        self, scenarios: Iterable[Scenario], *, replace: bool, first: bool = False,
        items: Sequence[Item] | None = None,
    ) -> None:
        """Make `scenarios` active (after the current ones unless `replace`; before them with
        `first`, which may not replace any); names stay unique: a scenario replaces an active one
        of the same name, whose progress is forgotten. `items` say how another worker rebuilds
        them (mockserver.scenarios.active); without them they are this process's own."""
        incoming = list(scenarios)
        made = list(items) if items is not None else [make_item(s, "local") for s in incoming]
        forgotten = self.list.change(
            lambda active: combine(active, made, replace=replace, first=first),
            built=dict(zip((item["tag"] for item in made), incoming, strict=True)),
        )
        for name in sorted(forgotten):
            self.state.clear(name)

    def deactivate(self, *names: str) -> None:
        """Stop serving the active scenarios `names` (a name not active is left alone)."""
        gone = set(names)
        self.list.change(lambda active: (without(active, gone), gone))
        for name in sorted(gone):
            self.state.clear(name)

    def find(self, name: str, *, admin: bool = False) -> Scenario | NoMatch:
        """An active scenario, else a built-in one, by name (`admin`: named in a POST to
        /_mock/scenarios rather than in the x-mock-scenario header)."""
        for scenario in self.active:
            if scenario.name == name:
                return scenario
        try:
            return builtin_scenario(name)
        except ScenarioError:
            known = [s.name for s in self.active] + builtin_names()
            hint = did_you_mean(name, known, cutoff=0.5) or (_LOAD_HINT_ADMIN if admin
                                                             else _LOAD_HINT_HEADER)
            message = f"no loaded or built-in scenario named {clip(name)!r}{hint}"
            return NoMatch("scenario.unknown", message if admin else f"x-mock-scenario: {message}")

    def select(
        self, request: MatchRequest, *, session: str | None, scenario_name: str | None
    ) -> Selection | NoMatch | None:
        """The step that answers `request`; None when no scenario is in play."""
        if scenario_name:
            found = self.find(scenario_name)
            if isinstance(found, NoMatch):
                return found
            candidates: tuple[Scenario, ...] = (found,)
        else:
            candidates = self.active
        if not candidates:
            return None
        request_id = request_key(request.path, request.body)
        misses: list[tuple[Scenario, Step, str, tuple[int, int]]] = []
        finished: Scenario | None = None
        for scenario in candidates:
            position = self.state.position(scenario, request, session=session,
                                           request_id=request_id)
            if position[0] >= len(scenario.steps):
                finished = finished or scenario
                continue
            step = scenario.steps[position[0]]
            outcome = match_request(step.match, request)
            if outcome.matched:
                return Selection(scenario, step, position, session, request_id,
                                 tuple(request.messages))
            misses.append((scenario, step, outcome.describe(), closeness(step.match, request)))
        if not misses and finished is not None:
            return NoMatch(
                "scenario.finished",
                f"scenario {finished.name!r} answered all its {len(finished.steps)} steps and "
                "refuses more (when_done: fail); POST /_mock/reset or use a new x-mock-session",
                finished.name,
            )
        nearest = max(miss[3] for miss in misses)
        tied = [miss for miss in misses if miss[3] == nearest]  # in the order they are consulted
        scenario, step, why, _ = tied[0]
        message = (f"no scenario step matches this request; closest: scenario {scenario.name!r} "
                   f"{step.label}, which failed on {why}")
        other = next((s for s in scenario.steps
                      if s is not step and match_request(s.match, request).matched), None)
        if other is not None:
            message += f" ({other.label} would match, but this conversation is at {step.label}; "
            if scenario.steps.index(other) < scenario.steps.index(step):
                message += ("it moved past it: an answer, a stream the client cancelled too, "
                            "moves it on, so an identical retry gets the next step (give that "
                            "step times: 2); another conversation in the same x-mock-session "
                            "moves it on as well (a distinct session per conversation), and POST "
                            "/_mock/reset starts all over)")  # fmt: skip
            else:
                message += ("the server has not seen its earlier turns: a restart or a reset "
                            "empties progress, and turns sent in another x-mock-session count "
                            "there; send the conversation from its first turn)")  # fmt: skip
        for also, also_step, also_why, _ in tied[1:_MAX_TIED_SHOWN]:
            message += f"; as close: scenario {also.name!r} {also_step.label}, which failed on {also_why}"
        if len(tied) > _MAX_TIED_SHOWN:
            message += f"; {len(tied) - _MAX_TIED_SHOWN} more as close"
        return NoMatch("scenario.no_match", message, scenario.name, step.name)
