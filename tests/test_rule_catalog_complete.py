"""Every rule id the code sends is in the catalog (`llama-contract rules`, docs/rules.md), so a
client that meets one in a 4xx or a report can look it up."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from contract.rules import catalog, read_catalog

ROOT = Path(__file__).resolve().parent.parent
# Calls that carry a rule id: the argument's position, or the `rule=` keyword anywhere.
RULE_ARGUMENT = {"simple_error": 1, "Violation": 0}


def _rule_ids_sent() -> dict[str, str]:
    sent: dict[str, str] = {}
    for package in ("contract", "mockserver"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                arguments = [k.value for k in node.keywords if k.arg == "rule"]
                at = RULE_ARGUMENT.get(name)
                if at is not None and len(node.args) > at:
                    arguments.append(node.args[at])
                for argument in arguments:
                    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                        sent.setdefault(argument.value, str(path.relative_to(ROOT)))
    return sent


def test_every_rule_sent_is_in_the_catalog() -> None:
    sent = _rule_ids_sent()
    assert len(sent) > 40  # the scan finds the call sites (it would pass vacuously otherwise)
    known = {rule.id for rule in catalog()}
    missing = {rule: where for rule, where in sent.items() if rule not in known}
    assert not missing, f"rules sent but not in the catalog (contract/rules.toml): {missing}"


def test_the_catalog_file_is_read_whole_and_in_order() -> None:
    text = (ROOT / "contract" / "rules.toml").read_text(encoding="utf-8")
    assert [rule.id for rule in catalog()] == re.findall(r'^id = "([^"]+)"$', text, re.MULTILINE)


@pytest.mark.parametrize(
    ("entry", "named"),
    [
        ('id = "a.b"\nseverity = "fatal"\nscope = "input"\nsummary = "s"', "unknown severity 'fatal'"),
        ('id = "a.b"\nseverity = "error"\nscope = "web"\nsummary = "s"', "unknown scope 'web'"),
        ('id = "a.b"\nseverity = "error"\nscope = "input"', "exactly the string fields"),
        ('id = "a.b"\nseverity = "error"\nscope = "input"\nsummary = 3', "exactly the string fields"),
    ],
)
def test_a_catalog_entry_that_is_no_rule_is_refused_by_name(entry: str, named: str) -> None:
    with pytest.raises(ValueError, match=re.escape(named)):
        read_catalog(f"[[rule]]\n{entry}\n")


def test_a_catalog_that_lists_an_id_twice_is_refused() -> None:
    entry = '[[rule]]\nid = "a.b"\nseverity = "error"\nscope = "input"\nsummary = "s"\n'
    with pytest.raises(ValueError, match="an id twice"):
        read_catalog(entry + entry)
