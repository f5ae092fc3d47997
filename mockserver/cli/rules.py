"""Print the rule catalog: every rule id with its severity and summary.

`--format md` prints the markdown kept in docs/rules.md.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable

from contract.rules import Rule, catalog

SCOPE_TITLES: dict[str, str] = {
    "input": "Reading the input",
    "request": "Requests",
    "response": "Responses",
    "stream": "Streams",
    "server": "Servers",
    "client": "Clients",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=("text", "md", "json"),
        default="text",
        help="text (default): one rule a line; md: the markdown of docs/rules.md; json",
    )


def render_text(rules: Iterable[Rule]) -> str:
    rules = list(rules)
    width = max(len(rule.id) for rule in rules)
    return "".join(f"{rule.id:<{width}}  {rule.severity:<7}  {rule.summary}\n" for rule in rules)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown(rules: Iterable[Rule]) -> str:
    """The rule catalog as markdown, grouped by scope in catalog order."""
    rules = list(rules)
    lines = [
        "# Rule catalog",
        "",
        "Every finding of llama-api-contract names one of these rules. Ids are stable: reports, CI",
        "filters and tests may key on them. Warnings become errors with `--strict`.",
        "",
        "Generated from `contract/rules.toml` by `llama-contract rules --format md`; do not edit.",
    ]
    scopes = list(dict.fromkeys(rule.scope for rule in rules))
    for scope in scopes:
        lines += ["", f"## {SCOPE_TITLES.get(scope, scope.title())}", ""]
        lines += ["| rule | severity | summary |", "|---|---|---|"]
        lines += [
            f"| `{rule.id}` | {rule.severity} | {_cell(rule.summary)} |"
            for rule in rules
            if rule.scope == scope
        ]
    return "\n".join(lines) + "\n"


def render_json(rules: Iterable[Rule]) -> str:
    items = [
        {"id": r.id, "severity": r.severity, "scope": r.scope, "summary": r.summary} for r in rules
    ]
    return json.dumps(items, indent=2) + "\n"


def run(args: argparse.Namespace) -> int:
    renderers = {"text": render_text, "md": render_markdown, "json": render_json}
    print(renderers[args.format](catalog()), end="")
    return 0
