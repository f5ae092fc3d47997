"""The rule catalog: every finding the contract can report, each with a stable id.

The catalog itself is data, `rules.toml` beside this module (one `[[rule]]` table per rule, in the
order `docs/rules.md` lists them); this module reads and checks it once, at import.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib.resources import files
from typing import Any, Literal, get_args

from contract.violations import Severity

Scope = Literal["input", "request", "response", "stream", "server", "client"]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: Severity
    scope: Scope
    summary: str


_FIELDS = ("id", "severity", "scope", "summary")


def read_catalog(text: str) -> tuple[Rule, ...]:
    """The rules of a catalog file; a ValueError names the first entry that is not a rule."""
    rules: list[Rule] = []
    for index, entry in enumerate(tomllib.loads(text).get("rule", [])):
        if sorted(entry) != sorted(_FIELDS) or not all(isinstance(v, str) for v in entry.values()):
            raise ValueError(f"rule {index} must have exactly the string fields {_FIELDS}")
        _check(entry, index)
        rules.append(Rule(entry["id"], entry["severity"], entry["scope"], entry["summary"]))
    if len({rule.id for rule in rules}) != len(rules):
        raise ValueError("the rule catalog lists an id twice")
    return tuple(rules)


def _check(entry: dict[str, Any], index: int) -> None:
    if entry["severity"] not in get_args(Severity):
        raise ValueError(f"rule {index} ({entry['id']}): unknown severity {entry['severity']!r}")
    if entry["scope"] not in get_args(Scope):
        raise ValueError(f"rule {index} ({entry['id']}): unknown scope {entry['scope']!r}")


_CATALOG = read_catalog(files("contract").joinpath("rules.toml").read_text(encoding="utf-8"))
RULES: dict[str, Rule] = {rule.id: rule for rule in _CATALOG}


def rule(rule_id: str) -> Rule:
    """The catalog entry for `rule_id`; a KeyError names the unknown id."""
    try:
        return RULES[rule_id]
    except KeyError:
        raise KeyError(f"unknown rule id {rule_id!r}") from None


def catalog() -> list[Rule]:
    return list(_CATALOG)
