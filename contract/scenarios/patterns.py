"""Regular expressions from scenario files, run in linear time on request text.

Python's `re` backtracks: `(aa?)+$` on 38 `a`s and a `!` holds a CPU (and the GIL) for minutes, and
no static check of a pattern catches every such case (`(a?){25}a{25}`, `(\\w\\d?)+$`, nested
`{0,10}` counters all slipped past one). Scenario patterns therefore run on RE2 (`google-re2`),
whose time grows linearly with the subject whatever the pattern: measured on 64 KiB subjects, the
worst of those patterns took 3.5 ms on RE2 while the `regex` package ran into a 100 ms timeout,
and a timeout would make the same request match or not depending on the machine's load.

RE2's syntax is Python's without lookaround, backreferences, atomic groups, possessive repeats and
`(?x)`; `\\w`, `\\d`, `\\s` and `\\b` are ASCII (use `\\pL` or `[[:alpha:]]`-style classes for
other scripts). A pattern RE2 cannot compile is refused when the scenario is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import re2

MAX_SUBJECT_CHARS = 64 * 1024
MAX_PATTERN_CHARS = 1000
# RE2 refuses a pattern whose compiled program needs more memory than this (it also caps every
# counted repeat at 1000), so compiling is bounded too.
_MAX_PROGRAM_BYTES = 1 << 20


class UnsafePattern(ValueError):
    """A pattern that is too long or that RE2 cannot compile."""


def _options() -> Any:
    options = re2.Options()
    options.log_errors = False  # RE2 would print every refused pattern to stderr
    options.max_mem = _MAX_PROGRAM_BYTES
    return options


_OPTIONS = _options()


@dataclass(frozen=True, slots=True)
class ScenarioPattern:
    """A compiled scenario regex: `search(text)` says whether it occurs in the first
    `MAX_SUBJECT_CHARS` characters of `text`."""

    pattern: str
    _compiled: Any = field(compare=False, repr=False)

    def search(self, subject: str) -> bool:
        head = subject[:MAX_SUBJECT_CHARS]
        try:
            return self._compiled.search(head) is not None
        except UnicodeEncodeError:  # a lone surrogate: RE2 reads UTF-8
            return self._compiled.search(head.encode("utf-8", "replace").decode()) is not None


def re2_reads(pattern: str) -> bool:
    """Whether RE2 compiles `pattern` (within the program size bound)."""
    try:
        re2.compile(pattern, _OPTIONS)
    except (re2.error, UnicodeEncodeError):
        return False
    return True


def compile_safe(pattern: str) -> ScenarioPattern:
    """Compile a scenario pattern, refusing overlong ones and what RE2 cannot run."""
    if len(pattern) > MAX_PATTERN_CHARS:
        raise UnsafePattern(f"the pattern has {len(pattern)} characters; at most "
                            f"{MAX_PATTERN_CHARS} are accepted")
    try:
        compiled = re2.compile(pattern, _OPTIONS)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise UnsafePattern(
            f"invalid regular expression: {reason} (scenario patterns use RE2 syntax: no "
            "lookaround, backreferences, atomic groups or possessive repeats, and counted "
            "repeats of at most 1000)"
        ) from None
    except UnicodeEncodeError:
        raise UnsafePattern("the pattern holds a lone surrogate (not UTF-8 text)") from None
    return ScenarioPattern(pattern, compiled)


def search_bounded(pattern: ScenarioPattern, subject: str) -> bool:
    """Whether `pattern` occurs in the first `MAX_SUBJECT_CHARS` characters of `subject`."""
    return pattern.search(subject)
