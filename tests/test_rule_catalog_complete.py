"""Every rule id the code sends is in the catalog (`llama-contract rules`, docs/rules.md), so a
client that meets one in a 4xx or a report can look it up."""

from __future__ import annotations

import ast
from pathlib import Path

from contract.rules import catalog

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
    assert not missing, f"rules sent but not in contract/rules.py: {missing}"
