"""Standing faults (`POST /_mock/faults`): kept in the server's store as fault texts, applied to
every chat request, optionally N times, counted down only by requests they act on."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any, NamedTuple

from contract.scenarios.fault_forms import parse_fault_text
from contract.scenarios.faults import FaultError, FaultSpec

if TYPE_CHECKING:
    from mockserver.state.store import Store

__all__ = ["MAX_STANDING_FAULTS", "StandingFaults", "Taken", "TakenUse"]

# Each chat request takes every standing fault, and each POST lists them all back.
MAX_STANDING_FAULTS = 100


class TakenUse(NamedTuple):
    """One use of a standing entry counted down by `StandingFaults.take`, enough to give it back."""

    tag: str  # the entry's own
    position: int  # where it stood in the list
    texts: list[str]
    names: frozenset[str]  # of its faults


class Taken(NamedTuple):
    faults: tuple[FaultSpec, ...] = ()
    uses: tuple[TakenUse, ...] = ()  # the entries counted down (not those without `times`)


class StandingFaults:
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

    def take(self, *, stream: bool, replacing: bool = False, overridden: bool = False,
             set_: bool | None = None) -> Taken:
        """The standing faults for one request, counting down those set for N requests (one
        atomic step of the store, so two workers never both take a fault's last use). Faults
        that act on streams only are left, uncounted, for the next stream. With `replacing`,
        nothing is taken (or counted) unless a fault that replaces the answer is among them.
        With `overridden` (the request's header replaces the answer), a set of faults that only
        replace the answer is left, uncounted: the header's answer stands instead. `set_`:
        whether any are set, when the request has read that already."""
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

        if not (self if set_ is None else set_):
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
