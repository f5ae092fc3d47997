"""Text answers: a sentence that visibly answers the last turn, then filler from a word bank."""

from __future__ import annotations

import re

from mockserver.engine.conversation import Turn
from mockserver.engine.draws import Draws
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
_TOOL_OPENERS = (
    'The {name} tool returned "{result}".',
    'According to {name}: "{result}".',
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u2028-\u202e\u2066-\u2069]+")
_SPACES = re.compile(r"\s+")


def snippet(text: str, *, max_words: int = 8, max_chars: int = 60) -> str:
    """A short, single-line quote of `text`: no control characters, no double quotes."""
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


def _opener(draws: Draws, turn: Turn) -> str | None:
    if turn.tool_result is not None:
        result = snippet(turn.tool_result.text) or "nothing"
        return draws.choice(_TOOL_OPENERS).format(name=turn.tool_result.name, result=result)
    if turn.user_text:
        return draws.choice(_QUESTION_OPENERS).format(snippet(turn.user_text))
    if turn.user_images:
        return "I see the image you sent."
    return None


# A user turn that asks for a long answer ("write a long essay", "in detail", "1000 words") gets
# one of 1,200-1,800 tokens (cut to the request's token limit), so a stream of it has hundreds of
# events as the real service's would.
_LONG_ASK = re.compile(
    r"\b(long|lengthy|essay|article|story|detailed|in detail|thorough|at length|"
    r"\d{3,}\s*(words|tokens))\b",
    re.IGNORECASE,
)


def answer_text(draws: Draws, turn: Turn) -> tuple[str, int]:
    """A 20-60 token answer (1,200-1,800 when the last user turn asks for a long one) that quotes
    the tool result or the last user turn, when there is one; returns the text and its token
    count."""
    opener = _opener(draws, turn)
    sentences = [opener] if opener else []
    used = count_tokens(opener) if opener else 0
    long_ask = turn.tool_result is None and bool(_LONG_ASK.search(turn.user_text or ""))
    target = draws.between(1200, 1800) if long_ask else draws.between(20, 60)
    while used < target:
        sentence, tokens = draws.choice(_FILLERS)
        sentences.append(sentence)
        used += tokens
    return " ".join(sentences), used
