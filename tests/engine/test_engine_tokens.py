"""The offline tokenizer: lossless, prefix-stable, and what the counts are built on."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mockserver.engine import count_tokens, tokenize
from mockserver.engine.tokens import first_tokens

texts = st.text(
    alphabet=st.sampled_from(list("abcXYZ éü日 _-.,!?\"'{}:0123456789\n\t")), max_size=80
) | st.text(max_size=40)


@given(texts)
def test_tokens_join_back_to_the_text(text):
    assert "".join(tokenize(text)) == text
    assert count_tokens(text) == len(tokenize(text))


@given(texts, st.integers(min_value=0, max_value=40))
def test_a_prefix_of_whole_tokens_retokenizes_to_the_same_tokens(text, n):
    tokens = tokenize(text)
    prefix = "".join(tokens[:n])
    assert tokenize(prefix) == tokens[:n]
    cut, count = first_tokens(text, n)
    assert (cut, count) == (prefix, min(n, len(tokens)))


def test_words_carry_the_whitespace_before_them():
    assert tokenize("Hello,  world!") == ["Hello", ",", "  world", "!"]
    assert tokenize("in 2025 ") == ["in", " 202", "5", " "]
    assert count_tokens("") == 0


def test_long_words_are_split():
    assert tokenize("internationalization") == ["internationa", "lization"]
