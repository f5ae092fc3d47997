"""The list of active scenarios as data: what `ScenarioRouter` keeps, and on a shared store what
every worker and host reads, so `POST` and `DELETE /_mock/scenarios` change the whole mock.

Each active scenario is an item, the JSON form any worker rebuilds it from: `{"name", "tag",
"kind"}` with kind `builtin` (a built-in name), `start` (given at start with `--scenarios`: every
worker loaded it), `document` (posted: the document itself, and its size in `bytes`) or `local`
(a `Scenario` a library caller activated in its own process, which no other worker can build). The tag
names one activation, so a worker builds a posted document once.

On a shared store the list is kept under `LIST_KEY` with a random token, and the token alone under
`TOKEN_KEY`, both written in one atomic step. Every chat request reads the token in the round trip
that reads the standing faults; only a token that changed costs a read of the list.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from contract.scenarios.build import build_scenario
from contract.scenarios.loading import Scenario, builtin_scenario, scenario_sources
from contract.scenarios.source import LineMap, ScenarioError, read_file
from mockserver.state.store import Store, StoreUnavailable

__all__ = ["LIST_KEY", "MAX_ACTIVE_SCENARIOS", "MAX_POSTED_BYTES", "TOKEN_KEY",
           "ActiveList", "Item", "ScenarioTooLarge", "combine", "make_item", "publish_start",
           "without"]

Item = dict[str, Any]
LIST_KEY = "kept:scenarios:list"
TOKEN_KEY = "kept:scenarios:token"
# Every chat request runs the current step of each active scenario: 4,000 of them made a chat
# take 111 ms instead of 10.
MAX_ACTIVE_SCENARIOS = 100
# Posted documents kept in all (each is at most 2 MiB, the admin body's limit), as compact JSON:
# the shared store holds them, and a worker reads them all when the list changes.
MAX_POSTED_BYTES = 8 * 1024 * 1024


class ScenarioTooLarge(ScenarioError):
    """The posted documents, with those active, would be more than `MAX_POSTED_BYTES`."""


def new_token() -> str:
    return secrets.token_hex(8)


def make_item(scenario: Scenario, kind: str, document: Any = None) -> Item:
    """The item of `scenario`; a `document` kind carries `document` and its size."""
    if kind == "start":  # the same on every worker, which each loaded it
        return {"name": scenario.name, "tag": f"start:{scenario.name}", "kind": kind}
    item: Item = {"name": scenario.name, "tag": f"{kind}:{new_token()}", "kind": kind}
    if kind == "document":
        text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
        item["document"] = document
        item["bytes"] = len(text.encode("utf-8", "surrogatepass"))
    return item


def combine(
    active: Sequence[Item], incoming: Sequence[Item], *, replace: bool, first: bool
) -> tuple[list[Item], set[str]]:
    """The list once `incoming` is activated (after the `active` ones unless `replace`; before them
    with `first`, which may not replace any), and the names whose progress goes: names stay unique,
    an incoming scenario replaces an active one of the same name."""
    kept = [] if replace else list(active)
    names = {item["name"] for item in incoming}
    clash = sorted(names.intersection(item["name"] for item in kept)) if first else []
    if clash:
        raise ScenarioError(
            f"a scenario named {clash[0]!r} is active already; scenarios put first stand in front "
            "of the active ones and do not replace them (give yours another name)"
        )
    kept = [item for item in kept if item["name"] not in names]
    seen: set[str] = set()
    for item in incoming:
        if item["name"] in seen:
            raise ScenarioError(f"the scenario name {item['name']!r} is given twice")
        seen.add(item["name"])
    if len(kept) + len(incoming) > MAX_ACTIVE_SCENARIOS:
        raise ScenarioError(
            f"at most {MAX_ACTIVE_SCENARIOS} scenarios may be active at once; this would make "
            f"{len(kept) + len(incoming)} (DELETE /_mock/scenarios, or replace them)"
        )
    result = [*incoming, *kept] if first else [*kept, *incoming]
    posted = sum(int(item.get("bytes", 0)) for item in result)
    if posted > MAX_POSTED_BYTES:
        raise ScenarioTooLarge(
            f"the posted scenario documents would be {posted:,} bytes in all (as compact JSON) "
            f"with those active; the mock keeps at most {MAX_POSTED_BYTES:,} (DELETE "
            "/_mock/scenarios, replace them, or load large ones with --scenarios)"
        )
    dropped = {item["name"] for item in active} - {item["name"] for item in kept}
    return result, dropped | names


def without(active: Iterable[Item], names: Iterable[str]) -> list[Item]:
    gone = set(names)
    return [item for item in active if item["name"] not in gone]


def publish_start(store: Store, sources: Sequence[str]) -> None:
    """Make the scenarios `serve --scenarios` names (already loaded without error) the shared
    list, as items any worker of any host can build: a file's document, a built-in's name. Each
    keeps the tag `start:NAME` of the worker's own copy, which a worker given it uses."""
    items: list[Item] = []
    for source in scenario_sources(sources):
        if isinstance(source, str):
            items.append({"name": source, "tag": f"start:{source}", "kind": "builtin"})
            continue
        document, _ = read_file(source)
        name = document["name"]
        items.append({"name": name, "tag": f"start:{name}", "kind": "document",
                      "document": document})
    token = new_token()
    store.update_many((LIST_KEY, TOKEN_KEY), lambda _old: [{"token": token, "items": items}, token])


Change = Callable[[Sequence[Item]], tuple[list[Item], set[str]]]


class ActiveList:
    """The active scenarios of one router: its own in one process; on a shared store, this
    worker's copy of the list in the store."""

    def __init__(self, store: Store, start: tuple[Scenario, ...]) -> None:
        self._store = store
        self.shared = bool(getattr(store, "shared", False))
        self._lock = threading.Lock()
        self._start = {scenario.name: scenario for scenario in start}
        items, _ = combine((), [make_item(s, "start") for s in start], replace=True, first=False)
        self._start_items = tuple(items)
        self._built: dict[str, Scenario] = {item["tag"]: s for item, s in zip(items, start,
                                                                             strict=True)}
        self._token: str | None = None  # of the shared list installed; None: the start list
        self.items: tuple[Item, ...] = ()
        self.scenarios: tuple[Scenario, ...] = ()
        self._install(None, self._start_items)

    def refresh(self, also: str, read: Sequence[Any] | None = None) -> Any:
        """On a shared store: install the shared list if it changed since this worker's copy, and
        return the value at key `also`, read in the one round trip that reads the list's token
        (or given as `read`: the values at `also` and `TOKEN_KEY`, read with another step)."""
        value, token = self._store.get_many((also, TOKEN_KEY)) if read is None else read
        if token != self._token:
            with self._lock:  # read and installed one at a time: an older list is never last
                document = self._store.get(LIST_KEY)
                if document is None:  # never written (or the store was emptied): the start list
                    self._install(None, self._start_items)
                elif document["token"] != self._token:
                    self._install(document["token"], document["items"])
        return value

    def item(self, name: str) -> Item | None:
        """The item of the active scenario `name`."""
        return next((item for item in self.items if item["name"] == name), None)

    def change(self, change: Change, *, built: Mapping[str, Scenario] | None = None) -> set[str]:
        """Replace the list by what `change` makes of it (on a shared store, in one atomic step
        there) and return the names whose progress goes. `built`: scenarios by item tag."""
        if not self.shared:
            with self._lock:
                items, forgotten = change(self.items)
                self._install(None, items, built)
            return forgotten
        local = [n for n, s in (built or {}).items() if n.startswith("local:")]
        if local:
            raise ScenarioError("on a shared store a scenario is activated by name or by its "
                                "document (POST /_mock/scenarios), which every worker can build")
        names: set[str] = set()

        def write(values: list[Any]) -> list[Any]:
            nonlocal names
            stored = values[0]
            items, names = change(self._start_items if stored is None else stored["items"])
            token = new_token()
            return [{"token": token, "items": items}, token]

        self._store.update_many((LIST_KEY, TOKEN_KEY), write)
        with self._lock:  # as `refresh` does: another thread may have installed a newer one
            document = self._store.get(LIST_KEY)
            if document is not None and document["token"] != self._token:
                self._install(document["token"], document["items"], built)
        return names

    def _install(self, token: str | None, items: Sequence[Item],
                 built: Mapping[str, Scenario] | None = None) -> None:
        known = {**self._built, **(built or {})}
        scenarios = tuple(self._build(item, known) for item in items)
        self._built = {item["tag"]: s for item, s in zip(items, scenarios, strict=True)}
        self.items = tuple(items)
        self.scenarios = scenarios
        self._token = token

    def _build(self, item: Item, known: Mapping[str, Scenario]) -> Scenario:
        if item["tag"] in known:
            return known[item["tag"]]
        if item["kind"] == "builtin":
            return builtin_scenario(item["name"])
        if item["kind"] == "document":
            return build_scenario(item["document"], file="<scenario posted to /_mock/scenarios>",
                                  lines=LineMap({(): 1}))
        start = self._start.get(item["name"])
        if start is None:
            raise StoreUnavailable(
                f"the active scenarios in the shared store include {item['name']!r}, given "
                "with --scenarios to another serve but not to this one; give every serve the "
                "same --scenarios")
        return start
