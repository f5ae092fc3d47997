"""Findings of a validation: one `Violation` per thing that is wrong, gathered in a `ValidationResult`."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]


def escape_pointer_token(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def json_pointer(parts: Iterable[str | int]) -> str:
    """Build a JSON Pointer (RFC 6901) from path parts: ``["messages", 0, "role"]`` -> ``/messages/0/role``."""
    return "".join("/" + escape_pointer_token(part) for part in parts)


@dataclass(frozen=True, slots=True)
class Violation:
    """One finding: which rule, where (a JSON Pointer), what was found and what is allowed."""

    rule: str
    path: str
    message: str
    severity: Severity = "error"
    line: int | None = None  # line of a JSONL input or index of a stream record, when there is one

    def __str__(self) -> str:
        where = self.path or "/"
        prefix = f"line {self.line}: " if self.line is not None else ""
        return f"{prefix}{where}: {self.message} [{self.rule}]"

    def as_error(self) -> Violation:
        return Violation(self.rule, self.path, self.message, "error", self.line)

    def at_line(self, line: int) -> Violation:
        return Violation(self.rule, self.path, self.message, self.severity, line)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule": self.rule,
            "path": self.path,
            "message": self.message,
            "severity": self.severity,
        }
        if self.line is not None:
            out["line"] = self.line
        return out


@dataclass(frozen=True, slots=True)
class ValidationResult:
    """All findings for one document; `ok` means no errors (warnings may remain)."""

    violations: tuple[Violation, ...] = field(default_factory=tuple)

    @classmethod
    def of(cls, violations: Iterable[Violation]) -> ValidationResult:
        return cls(tuple(violations))

    @property
    def errors(self) -> list[Violation]:
        return [v for v in self.violations if v.severity == "error"]

    @property
    def warnings(self) -> list[Violation]:
        return [v for v in self.violations if v.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not any(v.severity == "error" for v in self.violations)

    @property
    def rules(self) -> list[str]:
        return [v.rule for v in self.violations]

    def __iter__(self) -> Iterator[Violation]:
        return iter(self.violations)

    def __len__(self) -> int:
        return len(self.violations)

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "violations": [v.to_dict() for v in self.violations]}


def merge(results: Sequence[ValidationResult]) -> ValidationResult:
    return ValidationResult(tuple(v for r in results for v in r.violations))


def closest(word: str, options: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """The option `word` most likely stands for (a typo of it), if any is close enough."""
    found = difflib.get_close_matches(word, list(options), n=1, cutoff=cutoff)
    return found[0] if found else None


def did_you_mean(word: str, options: Iterable[str], *, cutoff: float = 0.6) -> str:
    """`; did you mean 'x'?` for the closest option, or "" when none is close."""
    found = closest(word, options, cutoff=cutoff)
    return f"; did you mean {found!r}?" if found is not None else ""
