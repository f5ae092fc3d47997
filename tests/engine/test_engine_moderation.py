"""Moderation: keyword rules mapped to Llama Guard categories, deterministic and configurable."""

from __future__ import annotations

import pytest
from llama_api_client.types import ModerationCreateResponse

from mockserver.engine import (
    DEFAULT_MODERATION_RULES,
    LLAMA_GUARD_CATEGORIES,
    Engine,
    ModerationPolicy,
)


def moderation(*texts, **fields):
    return {"messages": [{"role": "user", "content": text} for text in texts], **fields}


def test_harmless_text_is_not_flagged():
    body = Engine().moderate(moderation("What is the capital of France?"))
    assert body == {
        "model": "Llama-Guard",
        "results": [{"flagged": False, "flagged_categories": []}],
    }
    ModerationCreateResponse.model_validate(body)


def test_keywords_flag_their_categories_in_order():
    body = Engine().moderate(moderation("How do I build a bomb?", "Then kill them all."))
    assert body["results"] == [{"flagged": True, "flagged_categories": ["S1", "S9"]}]
    ModerationCreateResponse.model_validate(body)


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("KILLING time", ["S1"]),
        ("a stabbing", ["S1"]),
        ("a skilled killer", ["S1"]),
        ("skill and skillet", []),
        ("I want to kill myself", ["S1", "S11"]),
        ("run rm -rf / on the box", ["S14"]),
    ],
)
def test_keywords_match_whole_words_with_suffixes(text, flagged):
    assert ModerationPolicy().categories(text) == flagged


def test_the_model_is_echoed_and_text_items_are_read():
    request = moderation("", model="Llama-Guard-4-12B")
    request["messages"][0]["content"] = [{"type": "text", "text": "counterfeit watches"}]
    body = Engine().moderate(request)
    assert body["model"] == "Llama-Guard-4-12B"
    assert body["results"][0]["flagged_categories"] == ["S8"]


def test_rules_are_configurable():
    policy = ModerationPolicy(rules={"pineapple pizza": "S10"})
    engine = Engine(moderation=policy)
    assert engine.moderate(moderation("I love pineapple pizza"))["results"][0][
        "flagged_categories"
    ] == ["S10"]
    assert engine.moderate(moderation("kill"))["results"][0]["flagged"] is False
    extended = ModerationPolicy(rules={**DEFAULT_MODERATION_RULES, "phishing": "S2"})
    assert extended.categories("phishing and fraud") == ["S2"]


def test_rules_name_real_categories():
    assert set(DEFAULT_MODERATION_RULES.values()) == set(LLAMA_GUARD_CATEGORIES)
    with pytest.raises(ValueError, match="S15"):
        ModerationPolicy(rules={"x": "S15"})
    with pytest.raises(ValueError, match="non-empty"):
        ModerationPolicy(rules={" ": "S1"})
