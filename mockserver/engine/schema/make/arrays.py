"""Arrays for the instance generator: items, prefixItems, contains (minContains, maxContains),
lengths, uniqueItems. A part of `_Generator` (instances.py), kept apart for size."""

from __future__ import annotations

from typing import Any

from mockserver.engine.listen.answers import MISSING, Answers, descriptions
from mockserver.engine.listen.extract import Spot
from mockserver.engine.schema.facts import Facts, Part, SchemaProblem, canonical
from mockserver.engine.schema.make.parts import GeneratorPart
from mockserver.engine.schema.plausible import singular
from mockserver.engine.schema.scalars import DISTINCT_TRIES, unsatisfiable

MAX_HEARD_RECORDS = 16  # objects of one array filled from the conversation, at most


class ArrayMaker(GeneratorPart):
    """The array half of the generator."""

    def _array(self, facts: Facts, depth: int, hint: str, avoid: frozenset[str]) -> Any:
        low, high = facts.min_items, facts.max_items
        if facts.items_closed:
            room = len(facts.prefix)
            if low > room:
                raise unsatisfiable(
                    facts.pointer,
                    f"minItems {low} but items/additionalItems false allow only {room} items",
                )
            high = room if high is None else min(high, room)
        if high is not None and low > high:
            raise unsatisfiable(facts.pointer, f"minItems {low} is greater than maxItems {high}")
        records = False  # items are objects the conversation may fill, one per record it gives
        if self.answers is not None and facts.items and not facts.prefix and not facts.contains:
            item = Facts(facts.pointer)
            for schema, where in facts.items:
                self.collector.add(item, schema, where)
            records = bool(item.objects) and not item.choices
            if not item.choices:
                about = descriptions(facts.items)
                listed = self.answers.fill_list(item, singular(hint), about, low, high)
                if listed is not MISSING:
                    return listed
        # An item matching `contains` comes first even when minContains is 0 (then it may not),
        # unless maxContains is 0. Past the matching ones, an item may match a `contains` under
        # maxContains only while that one has room (`hits` counts its matches).
        matching = max(facts.min_contains, 1) if facts.contains else 0
        cap = min((most for most, _ in facts.max_contains), default=matching)
        if facts.max_contains and facts.min_contains > cap:  # from two subschemas
            raise SchemaProblem("unsupported", facts.pointer, (
                f"minContains {facts.min_contains} and maxContains {cap} of another contains: "
                "the mock makes every matching item match every contains"))  # fmt: skip
        matching = min(matching, cap)
        hits = [matching] * len(facts.max_contains)
        if high is not None and facts.contains and facts.min_contains > high:
            needs = f"{facts.min_contains} matching item" + "s" * (facts.min_contains > 1)
            raise unsatisfiable(
                facts.pointer, f"contains needs {needs} but at most {high} items are allowed"
            )
        least = max(low, matching)
        if depth >= self.shallow_from:
            count = least
        else:
            count = max(least, len(facts.prefix), self.rng.randint(1, 3))
        if high is not None:
            count = min(count, high)
        limit = count
        if records:  # past the count drawn, while the conversation gives values
            limit = max(count, MAX_HEARD_RECORDS if high is None else min(high, MAX_HEARD_RECORDS))
        record_kind: tuple[str, bool] | None = None  # what item 0 took first: (kind, place)
        items: list[Any] = []
        seen: set[str] = set()
        for index in range(limit):
            parts = list(facts.prefix[index] if index < len(facts.prefix) else facts.items)
            before = set(self.answers.used) if records and self.answers is not None else set()
            try:
                if index < matching:
                    item = self._matching_item(facts, parts, depth, singular(hint), seen)
                elif facts.max_contains:
                    item = self._item_with_room(facts, parts, depth, singular(hint), seen,
                                                hits, index)
                else:
                    item = self._item(parts, depth, singular(hint), seen, facts.pointer)
            except SchemaProblem as problem:
                if index < least or problem.kind != "unsatisfiable":
                    raise
                break  # optional items: a shorter array is still valid
            if records and self.answers is not None:
                took = _kinds_taken(self.answers, before)
                if index == 0 and took:
                    record_kind = took[0]
                if index >= least and (
                    record_kind not in took if record_kind is not None else index >= count
                ):
                    self.answers.used = before  # its values stay for what follows the array
                    break  # the conversation's records are all in ("Ada and Alan": two)
            items.append(item)
            if facts.unique:
                seen.add(canonical(item))
        return items

    def _matching_item(
        self, facts: Facts, parts: list[Part], depth: int, hint: str, seen: set[str]
    ) -> Any:
        """An item that matches `contains` too; with minContains 0, one that need not."""
        try:
            return self._item(parts + facts.contains, depth, hint, seen, facts.pointer)
        except SchemaProblem as problem:
            if facts.min_contains or problem.kind == "invalid":
                raise
            try:
                return self._item(parts, depth, hint, seen, facts.pointer)
            except SchemaProblem:
                raise problem from None  # the array was refused for this before minContains 0

    def _item_with_room(
        self, facts: Facts, parts: list[Part], depth: int, hint: str, seen: set[str],
        hits: list[int], index: int,
    ) -> Any:  # fmt: skip
        """Item `index`, matching no `contains` already at its maxContains; counted in `hits`."""
        refused: set[str] = set()
        for _ in range(DISTINCT_TRIES):
            try:
                item = self._item(parts, depth, hint, seen | refused, facts.pointer)
            except SchemaProblem as problem:
                if not refused or problem.kind != "unsatisfiable":
                    raise
                break  # no other value: the items all match
            matched = [at for at, (_, where) in enumerate(facts.max_contains)
                       if self.subschemas.matches(item, where)]  # fmt: skip
            if all(hits[at] < facts.max_contains[at][0] for at in matched):
                for at in matched:
                    hits[at] += 1
                return item
            refused.add(canonical(item))
        most = min(most for most, _ in facts.max_contains)
        raise unsatisfiable(facts.pointer, (
            f"maxContains {most} but item {index} would match contains too: the mock found no "
            "value for it that does not"))  # fmt: skip

    def _item(self, parts: list[Part], depth: int, hint: str, seen: set[str], pointer: str) -> Any:
        avoid = frozenset(seen)
        for _ in range(DISTINCT_TRIES if avoid else 1):
            item = self.value(parts, depth + 1, hint, avoid, pointer=pointer)
            if canonical(item) not in avoid:
                return item
        raise unsatisfiable(
            pointer, "uniqueItems needs more distinct items than the mock could find"
        )


def _kinds_taken(answers: Answers, before: set[Spot]) -> list[tuple[str, bool]]:
    """(kind, place) of the conversation's values taken since `before`, in the order said."""
    taken = answers.used - before
    return [(c.kind, c.place) for c in answers.found.candidates if c.spot in taken]
