"""Strings that match a regular expression, for the `pattern` keyword.

Handles the part of ECMA-262 regex syntax that schemas use in practice: literals, escapes (\\d \\w
\\s and their negations), character classes with ranges, `.`, groups, alternation, the quantifiers
`? * + {n} {n,} {n,m}` and the anchors `^ $`. Lookarounds, backreferences and word boundaries are
refused with `PatternError`. Every string is checked against Python's `re` before it is returned.
"""

from __future__ import annotations

import random
import re
import string
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from mockserver.engine.schema.linear import linear_regex

_PREFERRED = string.ascii_lowercase + string.ascii_uppercase + string.digits + " -_.@:/"
_PRINTABLE = "".join(chr(code) for code in range(0x20, 0x7F))
_CLASS_ESCAPES = {
    "d": string.digits,
    "w": string.ascii_letters + string.digits + "_",
    "s": " \t\n\r\f\v",
}
_CHAR_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f", "v": "\v", "0": "\0"}
_MAX_EXTRA_REPEATS = 2


class PatternError(ValueError):
    """The pattern uses syntax this generator does not handle, or no string could be found."""


@dataclass(frozen=True, slots=True)
class _Chars:
    choices: str  # the characters to pick from (a plausible subset of what the class allows)


@dataclass(frozen=True, slots=True)
class _Repeat:
    node: _Node
    least: int
    most: int | None


@dataclass(frozen=True, slots=True)
class _Alternatives:
    options: tuple[tuple[_Node, ...], ...]


_Node = _Chars | _Repeat | _Alternatives


@dataclass(frozen=True, slots=True)
class ParsedPattern:
    tree: _Alternatives
    compiled: Any  # the RE2 regex
    anchored_start: bool
    anchored_end: bool


class _Parser:
    def __init__(self, pattern: str) -> None:
        self.text = pattern
        self.at = 0

    def fail(self, what: str) -> PatternError:
        return PatternError(f"pattern {self.text!r}: {what} is not supported by the mock")

    def peek(self) -> str:
        return self.text[self.at] if self.at < len(self.text) else ""

    def alternatives(self) -> _Alternatives:
        options = [self.sequence()]
        while self.peek() == "|":
            self.at += 1
            options.append(self.sequence())
        return _Alternatives(tuple(options))

    def sequence(self) -> tuple[_Node, ...]:
        nodes: list[_Node] = []
        while self.peek() not in ("", "|", ")"):
            atom = self.atom()
            if atom is not None:
                nodes.append(self.quantified(atom))
        return tuple(nodes)

    def atom(self) -> _Node | None:
        char = self.peek()
        self.at += 1
        if char in "^$":
            return None  # anchors: checked on the whole string afterwards
        if char == ".":
            return _Chars(string.ascii_lowercase)
        if char == "(":
            if self.text.startswith("?:", self.at):
                self.at += 2
            elif (
                self.text.startswith("?<", self.at)
                and self.text[self.at + 2 : self.at + 3] not in "=!"
            ):
                self.at = self.text.index(">", self.at) + 1
            elif self.peek() == "?":
                raise self.fail("a lookaround or group flag")
            inner = self.alternatives()
            if self.peek() != ")":
                raise self.fail("an unclosed group")
            self.at += 1
            return inner
        if char == "[":
            return self.char_class()
        if char == "\\":
            return _Chars(self.escape(in_class=False))
        if char in "*+?":
            raise self.fail(f"a quantifier {char!r} with nothing before it")
        return _Chars(char)

    def escape(self, *, in_class: bool) -> str:
        char = self.peek()
        self.at += 1
        if not char:
            raise self.fail("a trailing backslash")
        if char in _CLASS_ESCAPES:
            return _CLASS_ESCAPES[char]
        if char.lower() in _CLASS_ESCAPES:
            allowed = _CLASS_ESCAPES[char.lower()]
            return "".join(c for c in _PREFERRED if c not in allowed)
        if char in _CHAR_ESCAPES:
            return _CHAR_ESCAPES[char]
        if char in "xu":
            size = 2 if char == "x" else 4
            digits = self.text[self.at : self.at + size]
            if len(digits) != size or any(c not in string.hexdigits for c in digits):
                raise self.fail(f"the escape \\{char}{digits}")
            self.at += size
            return chr(int(digits, 16))
        if char == "b" and in_class:
            return "\b"
        if char.isalnum():
            raise self.fail(f"the escape \\{char}")
        return char

    def char_class(self) -> _Chars:
        negate = self.peek() == "^"
        if negate:
            self.at += 1
        members: set[str] = set()
        first = True
        while True:
            char = self.peek()
            if not char:
                raise self.fail("an unclosed character class")
            if char == "]" and not first:
                self.at += 1
                break
            first = False
            self.at += 1
            low = self.escape(in_class=True) if char == "\\" else char
            if (
                len(low) == 1
                and self.peek() == "-"
                and self.text[self.at + 1 : self.at + 2] not in ("]", "")
            ):
                self.at += 1
                high_char = self.peek()
                self.at += 1
                high = self.escape(in_class=True) if high_char == "\\" else high_char
                if len(high) != 1 or ord(high) < ord(low):
                    raise self.fail("a character range out of order")
                members.update(_range_choices(low, high))
            else:
                members.update(low)
        if negate:
            choices = "".join(c for c in _PRINTABLE if c not in members)
        else:
            choices = "".join(sorted(members, key=_preference))
        if not choices:
            raise self.fail("a character class that allows no printable character")
        return _Chars(choices)

    def quantified(self, atom: _Node) -> _Node:
        char = self.peek()
        if char in ("*", "+", "?"):
            self.at += 1
            least, most = {"*": (0, None), "+": (1, None), "?": (0, 1)}[char]
        elif char == "{" and (match := re.compile(r"\{(\d+)(,(\d*))?\}").match(self.text, self.at)):
            self.at = match.end()
            least = int(match.group(1))
            most = (
                least
                if match.group(2) is None
                else (int(match.group(3)) if match.group(3) else None)
            )
        else:
            return atom
        if self.peek() == "?":
            self.at += 1  # lazy: same strings
        return _Repeat(atom, least, most)


def _preference(char: str) -> int:
    index = _PREFERRED.find(char)
    return index if index >= 0 else len(_PREFERRED) + ord(char)


def _range_choices(low: str, high: str) -> str:
    preferred = [c for c in _PREFERRED if low <= c <= high]
    if preferred:
        return "".join(preferred)
    start = ord(low)
    return "".join(chr(code) for code in range(start, min(ord(high), start + 63) + 1))


@lru_cache(maxsize=256)
def parse_pattern(pattern: str) -> ParsedPattern:
    parser = _Parser(pattern)
    tree = parser.alternatives()
    if parser.at != len(pattern):
        raise parser.fail("an unbalanced ')'")
    compiled = linear_regex(pattern)
    if compiled is None:
        raise PatternError(
            f"pattern {pattern!r} is not a regular expression the mock can check (RE2 syntax: "
            "no lookaround or backreferences)"
        )
    return ParsedPattern(tree, compiled, pattern.startswith("^"), pattern.endswith("$"))


def _emit(
    node: _Node, rng: random.Random, out: list[str], minimal: bool, grow: list[int] | None = None
) -> None:
    """Append a string `node` matches to `out`: random choices, or the first ones when `minimal`.
    With `grow` (characters still wanted), each open repeat takes more items while some are."""
    if isinstance(node, _Chars):
        choice = node.choices[0] if minimal else rng.choice(node.choices)
        out.append(choice)
        if grow is not None:
            grow[0] -= len(choice)
    elif isinstance(node, _Repeat):
        count = node.least
        if not minimal:
            extra = (
                _MAX_EXTRA_REPEATS
                if node.most is None
                else min(_MAX_EXTRA_REPEATS, node.most - node.least)
            )
            count += rng.randint(0, max(extra, 0))
        for _ in range(count):
            _emit(node.node, rng, out, minimal, grow)
        while grow is not None and grow[0] > 0 and (node.most is None or count < node.most):
            wanted = grow[0]
            _emit(node.node, rng, out, minimal, grow)
            count += 1
            if grow[0] >= wanted:  # an item of no characters: more of them add nothing
                break
    else:
        option = node.options[0] if minimal else rng.choice(node.options)
        for child in option:
            _emit(child, rng, out, minimal, grow)


_PLAIN_TRIES = 8  # random strings, the last of the first choices; then strings grown to length


def pattern_string(
    pattern: str, rng: random.Random, *, min_length: int = 0, max_length: int | None = None
) -> str:
    """A string `pattern` matches (search semantics, as JSON Schema uses), within the lengths."""
    parsed = parse_pattern(pattern)
    for attempt in range(_PLAIN_TRIES + 4):
        out: list[str] = []
        grown = attempt >= _PLAIN_TRIES  # for a pattern anchored at both ends, padding cannot work
        _emit(parsed.tree, rng, out, minimal=attempt == _PLAIN_TRIES - 1,
              grow=[min_length] if grown else None)  # fmt: skip
        text = "".join(out)
        if len(text) < min_length:
            padding = "x" * (min_length - len(text))
            if not parsed.anchored_end:
                text += padding
            elif not parsed.anchored_start:
                text = padding + text
        if max_length is not None and len(text) > max_length:
            continue
        if len(text) >= min_length and parsed.compiled.search(text):
            return text
    bounds = (
        "" if (min_length, max_length) == (0, None) else f" of length {min_length}..{max_length}"
    )
    raise PatternError(f"the mock found no string{bounds} that matches pattern {pattern!r}")
