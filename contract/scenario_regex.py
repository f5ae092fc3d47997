"""Regular expressions from scenario files, made safe to run on request text.

Python's `re` backtracks, so a pattern such as `(a+)+$` can take exponential time on a hostile
message. Two guards: patterns with a quantified group that itself holds an unbounded or large
quantifier ("nested quantifiers") are refused when the scenario is loaded, and every pattern runs on
at most the first `MAX_SUBJECT_CHARS` characters of its subject. A repeated group whose alternatives
could match the same text (`(a|a)*`, `(a|ab)+`) is refused too: only plain words with different first
characters may alternate inside a repeat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Backtracking is still quadratic for a repeat that fails late (`(ab|cd)+x` on 'abab...'): 64 KiB
# took over 30 s a search; 8 KiB keeps the worst case near half a second.
MAX_SUBJECT_CHARS = 8 * 1024
MAX_PATTERN_CHARS = 1000
# A repeat counts as "large" (able to drive backtracking) above this many repetitions.
_LARGE_REPEAT = 10


class UnsafePattern(ValueError):
    """A pattern that does not compile, or could backtrack catastrophically."""


@dataclass(slots=True)
class _Group:
    start: int
    has_repeat: bool = False
    ambiguous: bool = False  # holds alternatives that can match at the same place


def _quantifier_at(pattern: str, index: int) -> tuple[int, int | None] | None:
    """(length, max repetitions) of the quantifier starting at `index`; None if there is none."""
    if index >= len(pattern):
        return None
    ch = pattern[index]
    if ch in "*+":
        return 1, None
    if ch == "?":
        return 1, 1
    if ch == "{":
        match = re.match(r"\{(\d*)(,?)(\d*)\}", pattern[index:])
        if match is None or not (match.group(1) or match.group(3)):
            return None  # a literal brace
        low, comma, high = match.groups()
        if not comma:
            return len(match.group(0)), int(low)
        return len(match.group(0)), (int(high) if high else None)
    return None


def _is_big(limit: int | None) -> bool:
    return limit is None or limit > _LARGE_REPEAT


def check_pattern(pattern: str) -> None:
    """Raise `UnsafePattern` if `pattern` nests a large quantifier inside a quantified group."""
    stack: list[_Group] = [_Group(-1)]
    index = 0
    length = len(pattern)
    while index < length:
        ch = pattern[index]
        if ch == "\\":
            index += 2
        elif ch == "[":
            index = _skip_class(pattern, index)
        elif ch == "(":
            stack.append(_Group(index))
            index += 1
            continue
        elif ch == ")" and len(stack) > 1:
            group = stack.pop()
            if _overlapping_alternatives(pattern[group.start + 1 : index]):
                group.ambiguous = True
            index += 1
            quantifier = _quantifier_at(pattern, index)
            if quantifier is not None:
                size, limit = quantifier
                if _is_big(limit) and group.ambiguous:
                    raise UnsafePattern(
                        f"overlapping alternatives: the group at position {group.start} repeats "
                        "and its alternatives can match the same text, which can backtrack "
                        "catastrophically; repeat only alternatives that are plain words with "
                        "different first characters, such as (yes|no)+"
                    )
                if _is_big(limit) and group.has_repeat:
                    raise UnsafePattern(
                        f"nested quantifiers: the group at position {group.start} repeats and "
                        "holds a repeat itself, which can backtrack catastrophically; rewrite it "
                        "without a quantifier inside a quantified group"
                    )
                index += size
                if index < length and pattern[index] in "?+":  # lazy or possessive
                    index += 1
                if _is_big(limit) or group.has_repeat:
                    stack[-1].has_repeat = True
            elif group.has_repeat:
                stack[-1].has_repeat = True
            if group.ambiguous:
                stack[-1].ambiguous = True
            continue
        else:
            index += 1
        quantifier = _quantifier_at(pattern, index)
        if quantifier is not None:
            size, limit = quantifier
            index += size
            if _is_big(limit):
                stack[-1].has_repeat = True
            if index < length and pattern[index] in "?+":  # lazy or possessive
                index += 1


_GROUP_PREFIX = re.compile(r"\?(?:[:>]|P<\w+>|<\w+>|[aiLmsux-]+:)")
_META = frozenset(".^$*+?{}[]\\|()")


def _overlapping_alternatives(body: str) -> bool:
    """Whether a group's top-level alternatives could match at the same place.

    Safe (False) when there is no alternation, or every alternative is a plain literal and no two
    start with the same character; anything else counts as overlapping.
    """
    prefix = _GROUP_PREFIX.match(body)
    if prefix:
        body = body[prefix.end() :]
    alternatives, depth, start, index = [], 0, 0, 0
    while index < len(body):
        ch = body[index]
        if ch == "\\":
            index += 2
            continue
        if ch == "[":
            index = _skip_class(body, index)
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            alternatives.append(body[start:index])
            start = index + 1
        index += 1
    if not alternatives:
        return False
    alternatives.append(body[start:])
    if any(not alt or any(c in _META for c in alt) for alt in alternatives):
        return True
    firsts = [alt[0].casefold() for alt in alternatives]  # (?i) makes "a" and "A" overlap
    return len(set(firsts)) < len(firsts)


def _skip_class(pattern: str, index: int) -> int:
    """Index just past the character class that opens at `index`."""
    index += 1
    if index < len(pattern) and pattern[index] == "^":
        index += 1
    if index < len(pattern) and pattern[index] == "]":
        index += 1
    while index < len(pattern) and pattern[index] != "]":
        index += 2 if pattern[index] == "\\" else 1
    return index + 1


def compile_safe(pattern: str) -> re.Pattern[str]:
    """Compile a scenario pattern, refusing invalid, overlong and catastrophic ones."""
    if len(pattern) > MAX_PATTERN_CHARS:
        raise UnsafePattern(f"the pattern has {len(pattern)} characters; at most "
                            f"{MAX_PATTERN_CHARS} are accepted")
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise UnsafePattern(f"invalid regular expression: {exc}") from None
    check_pattern(pattern)
    return compiled


def search_bounded(pattern: re.Pattern[str], subject: str) -> bool:
    """Search at most the first `MAX_SUBJECT_CHARS` characters of `subject`."""
    return pattern.search(subject[:MAX_SUBJECT_CHARS]) is not None
