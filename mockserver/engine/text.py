"""Text answers: a sentence that visibly answers the last turn, then filler from a word bank."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from mockserver.engine.conversation import ToolResult, Turn, json_document
from mockserver.engine.draws import Draws
from mockserver.engine.schema.plausible import hint_words
from mockserver.engine.tokens import count_tokens

# Every word here is one token, so a filler sentence's token count depends on its template only.
_ADJECTIVES = (
    "quiet", "bright", "careful", "steady", "simple", "early", "gentle", "clear", "patient",
    "practical", "small", "useful", "curious", "honest", "thoughtful", "modern", "open", "even",
)  # fmt: skip
_NOUNS = (
    "answer", "river", "garden", "library", "plan", "journey", "lantern", "harbor", "recipe",
    "question", "window", "compass", "bridge", "notebook", "meadow", "signal", "detail", "example",
)  # fmt: skip
_VERBS = (
    "follows", "explains", "reaches", "shapes", "supports", "describes", "connects", "improves",
    "reflects", "guides", "outlines", "frames",
)  # fmt: skip
_ADVERBS = (
    "carefully", "quietly", "clearly", "gradually", "simply", "often", "usually", "steadily",
)  # fmt: skip
_TEMPLATES = (
    "The {a} {n} {v} the {n2} {r}.",
    "{R}, every {n} {v} {an} {a} {n2}.",
    "In short, the {n} {v} the {a} {n2}.",
    "{An} {a} {n} {r} {v} the {n2}.",
)
_TEMPLATE_TOKENS = tuple(
    count_tokens(t.format(a="x", n="x", n2="x", v="x", r="x", R="X", an="a", An="A"))
    for t in _TEMPLATES
)
_QUESTION_OPENERS = (
    'You asked: "{}".',
    'About "{}": here is a short answer.',
    'Regarding "{}", this is what I can tell you.',
)
_LEADING_VERBS = frozenset(
    ("get", "fetch", "lookup", "look", "find", "search", "query", "retrieve", "read", "check",
     "load", "list", "show", "compute", "calculate")
)  # fmt: skip
_PLACE_HINTS = frozenset(("city", "location", "place", "country", "region", "town", "where"))
_MAX_REPORTED = 12  # values named per tool result
_MAX_SUMMED = 4  # tool results a summing-up string reports, the last ones
_ASK_VERB = r"(?i)\b(?:reply|respond|answer|say|write|output|print|return)"
# "with", "only", "just the word": each a whole word, so the run cannot backtrack badly.
_ASK_WORDS = (
    r"(?:\s+(?:back|with|only|just|exactly|simply|the|single|word|phrase|text|number|letter)\b)"
)
_EXACT = (
    re.compile(  # Reply with "OK" / say "hello world"
        _ASK_VERB + _ASK_WORDS + r"*\s*"
        r"(?:\"([^\"\n]{1,400})\"|'([^'\n]{1,400})'|\u201c([^\u201d\n]{1,400})\u201d)"
    ),
    re.compile(  # Reply with the word OK / answer with just yes / respond only with 42
        _ASK_VERB + _ASK_WORDS + r"+\s+([^\s\"'\u201c.,!?;:]{1,40})[.!]?\s*$"
    ),
    re.compile(r"(?is)\b(?:repeat|echo)(?:\s+after\s+me|\s+this|\s+back)?\s*:\s*(.{1,2000})$"),
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u2028-\u202e\u2066-\u2069]+")
_SPACES = re.compile(r"\s+")


def snippet(text: str, *, max_words: int = 8, max_chars: int = 60) -> str:
    """A short, single-line quote of `text`: no control characters, no double quotes."""
    if text.isprintable() and "  " not in text:  # no control, format or separator characters
        clean = text.strip().replace('"', "'")  # but the space, and no run of spaces to join
    else:
        clean = _SPACES.sub(" ", _CONTROL.sub(" ", text)).strip().replace('"', "'")
    short = " ".join(clean.split(" ")[:max_words])
    if len(short) > max_chars:
        short = short[:max_chars].rstrip()
    return short + ("..." if short != clean else "")


def _filler_sentence(draws: Draws) -> tuple[str, int]:
    index = draws.below(len(_TEMPLATES))
    first = draws.below(len(_NOUNS))
    second = draws.below(len(_NOUNS) - 1)
    second += second >= first  # two different nouns
    adjective = draws.choice(_ADJECTIVES)
    article = "an" if adjective[0] in "aeiou" else "a"
    adverb = draws.choice(_ADVERBS)
    sentence = _TEMPLATES[index].format(
        a=adjective, n=_NOUNS[first], n2=_NOUNS[second], v=draws.choice(_VERBS),
        r=adverb, R=adverb.capitalize(), an=article, An=article.capitalize(),
    )  # fmt: skip
    return sentence, _TEMPLATE_TOKENS[index]


# Built once: a request then draws whole sentences, one draw each.
_FILLER_DRAWS = Draws(b"filler sentences")
_FILLERS = tuple(_filler_sentence(_FILLER_DRAWS) for _ in range(256))


def _rules_out(text: str, words: tuple[str, ...]) -> bool:
    """Whether an ASCII `text` has none of `words` in any case: a test cheaper than a case-blind
    regex. (Beyond ASCII a case-blind regex also matches U+017F for "s" and U+0131 for "i".)"""
    if not text.isascii():
        return False
    lowered = text.lower()
    for word in words:  # noqa: SIM110 (a plain loop costs half of all() over a generator)
        if word in lowered:
            return False
    return True


# Every pattern of _EXACT starts with one of these words: one search rules the three out.
_EXACT_WORDS = (
    "reply", "respond", "answer", "say", "write", "output", "print", "return", "repeat", "echo",
)  # fmt: skip
_EXACT_GATE = re.compile(rf"(?i)\b(?:{'|'.join(_EXACT_WORDS)})")


def exact_reply(text: str) -> str | None:
    """The reply a user asked for word for word ("Reply with the word OK"), if any."""
    if _rules_out(text[:4000], _EXACT_WORDS) or _EXACT_GATE.search(text, 0, 4000) is None:
        return None
    for pattern in _EXACT:
        match = pattern.search(text[:4000])
        if match is not None:
            reply = next(group for group in match.groups() if group is not None).strip()
            return reply or None
    return None


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "none"
    if isinstance(value, list):
        return ", ".join(_plain(item) for item in value[:_MAX_REPORTED]) or "none"
    if isinstance(value, Mapping):
        return "; ".join(_pairs(value)) or "none"
    return snippet(str(value), max_words=24, max_chars=160)


def _pairs(document: Mapping[str, Any]) -> list[str]:
    return [
        f"{' '.join(hint_words(str(key))) or key} {_plain(value)}"
        for key, value in list(document.items())[:_MAX_REPORTED]
    ]


def _subject(result: ToolResult) -> str:
    words = hint_words(result.name)
    rest = words[1:] if words and words[0] in _LEADING_VERBS else words
    if rest and rest != words:
        subject = "The " + " ".join(rest)
    else:
        subject = f"The result of {result.name}"
    arguments = json_document(result.arguments) if result.arguments else {}
    if not isinstance(arguments, Mapping):
        return subject
    places = [str(v) for k, v in arguments.items() if set(hint_words(str(k))) & _PLACE_HINTS]
    if places:
        return f"{subject} in {snippet(places[0], max_chars=80)}"
    named = [
        snippet(str(v), max_chars=40)
        for v in arguments.values()
        if isinstance(v, (str, int, float)) and not isinstance(v, bool)
    ][:3]
    return f"{subject} for {' and '.join(named)}" if named else subject


def reported(turn: Turn) -> str:
    """The conversation's tool results in plain words, the earliest first (the last few)."""
    return " ".join(report(result) for result in reversed(turn.answered[:_MAX_SUMMED]))


def report(result: ToolResult) -> str:
    """One plain sentence with a tool result's values: "The weather in Oslo: temperature 7"."""
    document = json_document(result.text) if result.text.lstrip()[:1] in "{[" else None
    if document is None:
        document = result.text
    if isinstance(document, Mapping):
        said = ", ".join(_pairs(document))
    elif isinstance(document, list):
        said = _plain(document)
    else:
        said = snippet(result.text, max_words=40, max_chars=300)
    said = said or "nothing"
    return f"{_subject(result)}: {said}{'' if said.endswith(('.', '!', '?')) else '.'}"


# Each opener around its quote, and the tokens of both parts: a quote opens and ends with a
# character that is not a space, and each part meets it at a quote mark (a token of its own), so
# the opener's tokens are the parts' plus the quote's.
_OPENER_PARTS = tuple(
    (before, after, count_tokens(before) + count_tokens(after))
    for before, after in (template.split("{}") for template in _QUESTION_OPENERS)
)
_IMAGE_OPENER = "I see the image you sent."


def _opener(draws: Draws, turn: Turn) -> tuple[str, int] | None:
    """The sentence that opens a text answer, and its tokens."""
    if turn.user_text:
        before, after, tokens = draws.choice(_OPENER_PARTS)
        quote = snippet(turn.user_text)
        return before + quote + after, tokens + count_tokens(quote)
    if turn.user_images:
        return _IMAGE_OPENER, count_tokens(_IMAGE_OPENER)
    return None


# A user turn that asks for a long answer ("write a long essay", "in detail", "1000 words") gets
# one of 1,200-1,800 tokens (cut to the request's token limit), so a stream of it has hundreds of
# events as the real service's would.
_LONG_WORDS = ("long", "length", "essay", "article", "story", "detail", "thorough", "word", "token")
_LONG_ASK = re.compile(
    r"\b(long|lengthy|essay|article|story|detailed|in detail|thorough|at length|"
    r"\d{3,}\s*(words|tokens))\b",
    re.IGNORECASE,
)


def answer_text(draws: Draws, turn: Turn) -> tuple[str, int]:
    """The text answer and its token count: the tool results in plain words, the reply the user
    asked for word for word, or a 20-60 token answer (1,200-1,800 when the last user turn asks for
    a long one) that quotes the last user turn."""
    if turn.tool_results:
        text = " ".join(report(result) for result in turn.tool_results)
        return text, count_tokens(text)
    reply = exact_reply(turn.user_text) if turn.user_text else None
    if reply is not None:
        return reply, count_tokens(reply)
    opened = _opener(draws, turn)
    sentences = [opened[0]] if opened else []
    used = opened[1] if opened else 0
    asked = turn.user_text or ""
    long_ask = not _rules_out(asked, _LONG_WORDS) and bool(_LONG_ASK.search(asked))
    target = draws.between(1200, 1800) if long_ask else draws.between(20, 60)
    while used < target:
        sentence, tokens = draws.choice(_FILLERS)
        sentences.append(sentence)
        used += tokens
    return " ".join(sentences), used
