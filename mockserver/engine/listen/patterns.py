"""The patterns and word lists the extractor reads with.

Each is linear in the text, and only `TOKENS` is tried at every place a match may start. `URL`
opens with a literal, any lookbehind after it: re skips to the literal as fast as `str.find`. The
others are tried only where `marks.py` finds their mark with `str.find` ("-" in a date, "@",
", ", a quote...) or on short slices: re tries a pattern that opens with a lookbehind or a class at
every place (about 7 ns a character even when nothing matches, so 30 us on 1,000 characters
for each of the date, time and list patterns, where a text holds a few marks at most).
"""

from __future__ import annotations

import re
from typing import NamedTuple

URL = re.compile(r"h(?<![\w/]h)ttps?://[^\s<>\"'`]+")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")  # matched where a run before an "@" starts
DATETIME = re.compile(
    r"(?<!\d)\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})?(?!\d)"
)
DATE = re.compile(r"(?<![\d-])\d{4}-\d{2}-\d{2}(?![\d-])")
TIME = re.compile(r"(?<![\d:])\d{1,2}:\d{2}(?::\d{2})?(?![\d:])")
QUOTED = re.compile(
    r"(?<!\w)\"([^\"\n]{1,200})\"|(?<!\w)'([^'\n]{1,200})'(?!\w)|\u201c([^\u201d\n]{1,200})\u201d"
    r"|\u2018([^\u2019\n]{1,200})\u2019|\u00ab([^\u00bb\n]{1,200})\u00bb|\u201e([^\u201c\u201d\n]{1,200})[\u201c\u201d]"
)
UNIT = re.compile(r"\s?(%|[^\W\d_]{1,16})")


def _upper_class() -> str:
    """A character class of every upper- and title-case letter (re has no \\p{Lu})."""
    ranges: list[tuple[int, int]] = []
    for code in range(0x10000):
        char = chr(code)
        if (char.isupper() or char.istitle()) and char.isalpha():
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return "".join(
        f"\\u{low:04x}" + (f"-\\u{high:04x}" if high > low else "") for low, high in ranges
    )


CONNECTORS = frozenset(
    ("de", "da", "do", "dos", "das", "del", "della", "di", "van", "von", "der", "den", "la", "le",
     "du", "y", "bin", "al", "el")
)  # fmt: skip
_CONNECTOR = "|".join(sorted(CONNECTORS))
_CONNECTOR_STARTS = "".join(sorted({connector[0] for connector in CONNECTORS}))


class _Classes(NamedTuple):
    """How the token patterns spell their character classes (the contents of a `[...]`)."""

    upper: str  # upper- and title-case letters
    letter: str  # letters: a whole class, "[^\\W\\d_]" in Unicode
    word: str  # \\w
    digit: str  # \\d
    sign: str
    currency: str


def _capitalised(c: _Classes) -> str:
    """Codes ("USD"), capitalised yes/no and names: capitalised words in a row ("Zoë Núñez",
    "Rio de Janeiro"), each after its first letter, which `_tokens` matches."""
    name_word = rf"[{c.upper}]{c.letter}*(?:['\u2019\-]{c.letter}+)*"
    # After a space, only a capital or a connector's first letter can go on: one class test
    # instead of trying every connector after every name word.
    name_rest = (
        rf"{c.letter}*(?:['\u2019\-]{c.letter}+)*"
        rf"(?: (?=[{c.upper}{_CONNECTOR_STARTS}])(?:(?:{_CONNECTOR}) )?{name_word})*"
    )
    return (  # a code needs a second capital, a yes/no its own first letter: tested first
        rf"(?=[A-Z])(?<![{c.word}-].)(?P<code>(?<=[A-Z])[A-Z]{{1,5}}(?![{c.word}-]))"
        rf"|(?<=[YNTF])(?<![{c.word}].)(?P<boolean>(?:(?<=Y)(?:es|ES)|(?<=N)[oO]"
        rf"|(?<=T)(?:rue|RUE)|(?<=F)(?:alse|ALSE))(?![{c.word}]))"
        rf"|(?<![{c.word}].)(?P<name>{name_rest}(?![{c.word}]))"
    )


def _number(c: _Classes) -> str:
    """A number with its sign and currency after its first character, which `_tokens` matches:
    "-3", "$19.99", "1,234"; the groups' text is read from the match. A number with both
    separators the other way round is read the European way: "1.299,99" is 1299.99 (`cents`);
    with one of them only it is read the English way ("1.299" is 1.299)."""
    whole = rf"(?:[{c.digit}]{{1,3}}(?:,[{c.digit}]{{3}})+|[{c.digit}]+)"
    european = rf"[{c.digit}]{{0,2}}(?:\.[{c.digit}]{{3}})+,(?P<cents>[{c.digit}]{{1,2}})(?![{c.digit}.,])"
    return (
        rf"(?<![{c.word}.,].)"
        rf"(?:(?<=[{c.digit}])(?:{european}|[{c.digit}]{{0,2}}(?:,[{c.digit}]{{3}})+|[{c.digit}]*)"
        rf"|(?<=[{c.sign}])[{c.currency}]?{whole}|(?<=[{c.currency}]){whole})"
        rf"(?:\.(?P<decimals>[{c.digit}]+))?(?![{c.digit}])"
    )


def _tokens(c: _Classes) -> str:
    """Names, codes, capitalised yes/no (`_capitalised`) and numbers (`_number`) in one scan.
    The pattern starts with one class of every first character, and the lookbehinds after it
    choose the branch: re skips to the places where a token can start with one class test
    instead of trying the pattern at every position (an alternation of the two would be tried
    everywhere)."""
    numeric = f"{c.sign}{c.currency}{c.digit}"
    return (
        rf"[{c.upper}{numeric}](?:(?<=[{c.upper}])(?:{_capitalised(c)})"
        rf"|(?<=[{numeric}])(?P<number>{_number(c)}))"
    )


CURRENCIES = "$€£¥"
_UNICODE = _Classes(_upper_class(), r"[^\W\d_]", r"\w", r"\d", r"\-+\u2212", CURRENCIES)
# On ASCII text the same matches: classes of ASCII characters only are tested with one bitmap
# lookup, where a class that mixes categories (\d) with characters above 255 is tested item by
# item (a third of the scan's time).
_ASCII = _Classes("A-Z", "[A-Za-z]", "A-Za-z0-9_", "0-9", r"\-+", "$")
TOKENS = re.compile(_tokens(_UNICODE))
ASCII_TOKENS = re.compile(_tokens(_ASCII))
# Lower-case yes/no apart: in the pattern above their first letters would stop the scan at most
# words. One pattern per word: re skips to a literal prefix as fast as `str.find`, where one pattern
# for the four words stops at every "t" and "n" (twice the time on a long text). The lookbehind
# after the word asks that no word character comes before it.
LOWER_YES_NO = tuple(
    (word, re.compile(rf"{word}(?<!\w{word})(?!\w)")) for word in ("yes", "no", "true", "false")
)
# A list item may hold digits ("q1", "mp3"); one of digits only is no word (numbers list apart).
WORD = re.compile(r"[^\W_]+(?:['\u2019\-][^\W_]+)*")
_LIST_WORD = r"[^\W_]{1,30}"
WORD_LIST = re.compile(  # "red, green and blue": matched where a word before a ", " starts
    rf"{_LIST_WORD}(?:, {_LIST_WORD}){{1,15}},? (?:and|or) {_LIST_WORD}(?!\w)"
)
# What follows a list's first ", ": an item, then more (", ") or the last (" and "): tried first,
# as most commas in prose are followed by no list ("Hi, I am").
LIST_GOES_ON = re.compile(rf"{_LIST_WORD}(?:,? (?:and|or) |, )")
QUOTE_MARKS = "\"'\u201c\u2018\u00ab\u201e"  # what opens a quote
# "and" and "or" in English, German, French, Spanish, Italian, Portuguese and Russian; then
# a place word ("Paris and in Rome", "Köln und in Düsseldorf").
_AND_OR = r"and|or|und|oder|et|ou|y|o|e|и|или"
LIST_GAP = re.compile(
    rf"\s*(?:,\s*(?:(?:{_AND_OR})\s+)?|(?:{_AND_OR})\s+|&\s*|/\s*)"
    r"(?:(?:in|at|for|to|from|of|the|en|à|au|nach|im|em|a)\s+)?",
    re.IGNORECASE,
)
SENTENCE_END = frozenset(".!?:;\n\"'\u201c\u2018\u00ab(\u00bf\u00a1")  # and what opens one: quotes, "(", "¿", "¡"
PLACE_WORDS = frozenset((
    "in", "at", "to", "from", "near", "into", "around", "visit", "visiting",
    "en", "à", "au", "aux", "dans", "vers", "nach", "im", "bei", "em", "desde", "hacia", "в", "во",
    "из",
))  # fmt: skip
# The way a place word points: "from Berlin" is where a trip starts, "to Lisbon" where it ends.
TOWARD = {
    **dict.fromkeys(("from", "desde", "von", "aus", "depuis", "из", "от"), "from"),
    **dict.fromkeys(("to", "into", "towards", "toward", "nach", "vers", "hacia"), "to"),
}
# Capitalised only because they start a sentence (or are "I"): never names on their own.
STOP_WORDS = frozenset(
    """contact ask invite message text ping notify meet cancel delete remove update change
    move copy save share post upload download install buy rent hire register sign log join
    leave follow watch listen draw paint cook bake drive walk fly ship deliver pick choose
    select sort filter count rate review edit fix solve name note mark record track list
    i i'm i've i'd i'll what what's who who's where where's when why how is are am was
    were do does did can could would should will shall may might must the a an please tell
    give show find get hi hello hey thanks thank and or but in on at for of to use add
    book write compute calculate convert send email schedule create make set remind
    translate summarize summarise search look list explain describe draft check fetch
    let's lets now then also my our we you it this that these those there here yes no ok
    okay sure dear kindly call run greet say reply respond answer repeat extract help need
    want i'd could can't don't is it's multiply divide subtract sum count compare plan
    she he they him her them his hers their theirs its us
    order buy sell pay open close start stop turn play read generate return tell weather
    today tomorrow yesterday good great fine which if so as by with from into after before
    while during up down out over under again about tag label flag""".split()  # noqa: SIM905
)

# The words, lower case, and the code each says; a qualified name ("canadian dollars") wins over
# the bare word. A trailing "(s)" stands for the word with and without a final "s".
CURRENCY_NAMES = {
    "USD": "dollar(s), us dollar(s), u.s. dollar(s), american dollar(s), dólar(es), доллар, "
    "доллара, долларов, долларах",
    "EUR": "euro(s), евро",
    "GBP": "pound(s), pound(s) sterling, british pound(s), sterling, libra(s) esterlina(s), "
    "livre(s) sterling, pfund, фунт, фунта, фунтов",
    "JPY": "yen, japanese yen, yenes, иена, иен, иены",
    "CNY": "yuan, chinese yuan, renminbi, юань, юаней",
    "CHF": "franc(s), swiss franc(s), franken, франк, франка, франков",
    "INR": "rupee(s), indian rupee(s), рупия, рупий",
    "CAD": "canadian dollar(s)",
    "AUD": "australian dollar(s)",
    "NZD": "new zealand dollar(s)",
    "HKD": "hong kong dollar(s)",
    "SGD": "singapore dollar(s)",
    "MXN": "peso(s), mexican peso(s)",
    "BRL": "brazilian real(s), reais",
    "RUB": "ruble(s), rouble(s), рубль, рубля, рублей, рублях",
    "TRY": "lira, turkish lira",
    "PLN": "zloty, zlotys, złoty, złotych",
    "SEK": "krona, kronor, swedish krona",
    "NOK": "norwegian krone(r)",
    "DKK": "danish krone(r)",
    "ZAR": "south african rand",
    "KRW": "korean won, south korean won",
}


def _currency_words() -> dict[str, str]:
    words: dict[str, str] = {}
    for code, said in CURRENCY_NAMES.items():
        for phrase in said.split(", "):
            if phrase.endswith("(s)") or phrase.endswith("(es)") or phrase.endswith("(r)"):
                stem, _, ending = phrase[:-1].partition("(")
                words[stem] = code
                words[stem + ending] = code
            elif "(s)" in phrase:  # "pound(s) sterling", "libra(s) esterlina(s)"
                words[phrase.replace("(s)", "")] = code
                words[phrase.replace("(s)", "s")] = code
            else:
                words[phrase] = code
    return words


CURRENCY_WORDS: dict[str, str] = _currency_words()
CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
CURRENCY_CODES = frozenset(CURRENCY_NAMES)
# Longest first, so a qualified name is matched before the word it ends with.
CURRENCY_WORD = re.compile(
    r"(?<!\w)(?:"
    + "|".join(re.escape(word) for word in sorted(CURRENCY_WORDS, key=len, reverse=True))
    + r")(?!\w)"
)
