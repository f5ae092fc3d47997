"""The offline tokenizer: lossless, prefix-stable, and what the counts are built on."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mockserver.engine import count_tokens, tokenize
from mockserver.engine.tokens import (
    CACHED_MIN_CHARS,
    RESENT_CACHED_MIN_CHARS,
    _Counts,
    count_resent_tokens,
    first_tokens,
)

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


long_texts = st.text(alphabet=st.sampled_from(list("ab é日 .,0123\n")), min_size=CACHED_MIN_CHARS,
                     max_size=1200)  # fmt: skip


@given(long_texts | st.text(min_size=RESENT_CACHED_MIN_CHARS, max_size=300))
def test_a_text_counts_the_same_the_first_time_and_from_the_cache(text):
    assert count_tokens(text) == len(tokenize(text))
    assert count_resent_tokens(text) == len(tokenize(text))
    assert count_tokens(text) == len(tokenize(text))
    assert count_resent_tokens(text) == len(tokenize(text))


def test_the_counts_kept_are_bounded_by_their_characters():
    counts = _Counts(max_chars=1_000)
    texts = [f"message {n}: " + "word " * 60 for n in range(20)]  # ~312 characters each
    for text in texts:
        assert counts.count(text) == len(tokenize(text))
    assert counts.chars <= 1_000
    assert counts.chars == sum(len(text) for text in texts[-3:])  # the most recent are kept
    assert counts.count(texts[0]) == len(tokenize(texts[0]))  # forgotten, counted again


def test_a_text_longer_than_the_bound_is_counted_and_not_kept():
    counts = _Counts(max_chars=100)
    text = "word " * 50
    assert counts.count(text) == len(tokenize(text))
    assert counts.chars == 0
