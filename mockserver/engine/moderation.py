"""Deterministic moderation: keywords mapped to Llama Guard hazard categories (S1..S14)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from contract.models import MODERATION_MODEL
from mockserver.engine.conversation import content_text, messages_of

LLAMA_GUARD_CATEGORIES: dict[str, str] = {
    "S1": "Violent Crimes",
    "S2": "Non-Violent Crimes",
    "S3": "Sex-Related Crimes",
    "S4": "Child Sexual Exploitation",
    "S5": "Defamation",
    "S6": "Specialized Advice",
    "S7": "Privacy",
    "S8": "Intellectual Property",
    "S9": "Indiscriminate Weapons",
    "S10": "Hate",
    "S11": "Suicide & Self-Harm",
    "S12": "Sexual Content",
    "S13": "Elections",
    "S14": "Code Interpreter Abuse",
}

DEFAULT_MODERATION_RULES: dict[str, str] = {
    "kill": "S1",
    "murder": "S1",
    "assault": "S1",
    "kidnap": "S1",
    "stab": "S1",
    "steal": "S2",
    "fraud": "S2",
    "launder money": "S2",
    "shoplift": "S2",
    "scam": "S2",
    "sex trafficking": "S3",
    "sexual assault": "S3",
    "child exploitation": "S4",
    "defame": "S5",
    "libel": "S5",
    "slander": "S5",
    "lethal dose": "S6",
    "self-medicate": "S6",
    "home address of": "S7",
    "social security number": "S7",
    "doxx": "S7",
    "pirated": "S8",
    "cracked software": "S8",
    "counterfeit": "S8",
    "bomb": "S9",
    "explosive": "S9",
    "nerve agent": "S9",
    "bioweapon": "S9",
    "chemical weapon": "S9",
    "racial slur": "S10",
    "hate speech": "S10",
    "suicide": "S11",
    "self-harm": "S11",
    "kill myself": "S11",
    "porn": "S12",
    "pornographic": "S12",
    "explicit sex": "S12",
    "voter fraud": "S13",
    "rig the election": "S13",
    "ballot stuffing": "S13",
    "rm -rf": "S14",
    "fork bomb": "S14",
    "reverse shell": "S14",
}
_SUFFIXES = "(?:s|es|ed|ing|er|ers)?"


def _keyword_pattern(keyword: str) -> re.Pattern[str]:
    # A doubled last letter before a suffix too: "stab" matches "stabbing".
    doubled = f"(?:{re.escape(keyword[-1])})?" if keyword[-1].isalpha() else ""
    return re.compile(rf"(?<!\w){re.escape(keyword)}{doubled}{_SUFFIXES}(?!\w)", re.IGNORECASE)


def _category_order(code: str) -> int:
    return int(code[1:])


@dataclass(frozen=True, slots=True)
class ModerationPolicy:
    """Keyword (or phrase) -> category code rules. A keyword matches as a whole word,
    case-insensitively, with common suffixes ("kill" matches "killing", not "skill")."""

    rules: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_MODERATION_RULES))
    _matchers: tuple[tuple[re.Pattern[str], str], ...] = field(
        init=False, repr=False, compare=False, default=()
    )

    def __post_init__(self) -> None:
        matchers = []
        for keyword, code in self.rules.items():
            if code not in LLAMA_GUARD_CATEGORIES:
                raise ValueError(
                    f"moderation rule {keyword!r}: category {code!r} is not one of S1..S14"
                )
            if not keyword.strip():
                raise ValueError("moderation rules need a non-empty keyword")
            matchers.append((_keyword_pattern(keyword.strip()), code))
        object.__setattr__(self, "_matchers", tuple(matchers))

    def categories(self, text: str) -> list[str]:
        """The category codes `text` falls under, in S1..S14 order."""
        found = {code for pattern, code in self._matchers if pattern.search(text)}
        return sorted(found, key=_category_order)

    def moderate(self, request: Mapping[str, Any]) -> dict[str, Any]:
        """The native moderation response body for a validated `/v1/moderations` request."""
        text = "\n".join(content_text(message.get("content")) for message in messages_of(request))
        flagged = self.categories(text)
        model = request.get("model")
        return {
            "model": model if isinstance(model, str) else MODERATION_MODEL,
            "results": [{"flagged": bool(flagged), "flagged_categories": flagged}],
        }
