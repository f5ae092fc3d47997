"""Plausible values for schema instances, picked by the property name ("city" -> a city)."""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Callable

_FIRST = ("Ada", "Grace", "Alan", "Linus", "Maria", "Kenji", "Amara", "Lucas", "Ines", "Omar")
_LAST = ("Lovelace", "Hopper", "Turing", "Santos", "Okafor", "Tanaka", "Novak", "Dubois", "Haddad")
_CITIES = ("Paris", "Lisbon", "Nairobi", "Osaka", "Toronto", "Bogota", "Oslo", "Melbourne", "Seoul")
_COUNTRIES = ("France", "Portugal", "Kenya", "Japan", "Canada", "Colombia", "Norway", "Australia")
_COMPANIES = ("Acme Corp", "Globex", "Initech", "Umbrella Labs", "Stark Industries", "Hooli")
_COLORS = ("blue", "green", "red", "orange", "purple", "teal", "yellow")
_LANGUAGES = ("English", "French", "Spanish", "Japanese", "Swahili", "Portuguese")
_CURRENCIES = ("USD", "EUR", "JPY", "GBP", "BRL", "KES")
_STATUSES = ("active", "pending", "completed", "archived")
_CATEGORIES = ("general", "travel", "science", "finance", "sports", "music")
_WORDS = ("alpha", "harbor", "meadow", "signal", "lantern", "compass", "river", "summit", "orbit")
_TITLES = ("A Quiet Harbor", "Notes on Rivers", "The Long Journey", "Field Guide", "Weekly Report")
_SENTENCES = (
    "A short and clear summary.",
    "Everything went according to plan.",
    "This is a brief description.",
    "The details are listed below.",
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS = re.compile(r"[\s_\-.]+")

_INTEGER_RANGES: dict[str, tuple[int, int]] = {
    "age": (18, 80),
    "year": (1990, 2030),
    "month": (1, 12),
    "day": (1, 28),
    "hour": (0, 23),
    "minute": (0, 59),
    "second": (0, 59),
    "count": (1, 10),
    "quantity": (1, 10),
    "number": (1, 100),
    "num": (1, 10),
    "size": (1, 50),
    "limit": (1, 50),
    "rating": (1, 5),
    "stars": (1, 5),
    "score": (0, 100),
    "percent": (0, 100),
    "percentage": (0, 100),
    "port": (1024, 65535),
    "temperature": (-10, 35),
    "id": (1, 9999),
    "page": (1, 10),
    "priority": (1, 5),
    "level": (1, 10),
    "duration": (1, 120),
    "seconds": (1, 120),
    "days": (1, 30),
    "index": (0, 9),
    "total": (1, 500),
}
_NUMBER_RANGES: dict[str, tuple[float, float, int]] = {  # low, high, decimals
    "price": (5, 500, 2),
    "cost": (5, 500, 2),
    "amount": (5, 500, 2),
    "balance": (10, 5000, 2),
    "salary": (30000, 150000, 2),
    "latitude": (-90, 90, 4),
    "lat": (-90, 90, 4),
    "longitude": (-180, 180, 4),
    "lon": (-180, 180, 4),
    "lng": (-180, 180, 4),
    "temperature": (-10, 35, 1),
    "rating": (1, 5, 1),
    "probability": (0, 1, 2),
    "confidence": (0, 1, 2),
    "weight": (1, 100, 1),
    "height": (1, 250, 1),
    "distance": (1, 1000, 1),
}
_BOOLEAN_PREFIXES = ("is", "has", "can", "should", "enabled", "active", "allow", "include")


def hint_words(hint: str) -> list[str]:
    """Lowercase words of a property name: "firstName" and "first_name" -> ["first", "name"]."""
    return [word for word in _SEPARATORS.split(_CAMEL.sub(" ", hint).lower()) if word]


def singular(hint: str) -> str:
    if hint.endswith("ies"):
        return hint[:-3] + "y"
    if hint.endswith(("sses", "shes", "ches", "xes")):
        return hint[:-2]
    if hint.endswith("s") and not hint.endswith("ss"):
        return hint[:-1]
    return hint


def scalar_kind(hint: str) -> str:
    """The JSON type a value named `hint` most plausibly has, when the schema does not say."""
    words = hint_words(hint)
    if not words:
        return "string"
    if words[0] in _BOOLEAN_PREFIXES:
        return "boolean"
    if words[-1] in _NUMBER_RANGES:
        return "number"
    if words[-1] in _INTEGER_RANGES and words[-1] != "id":
        return "integer"
    return "string"


def plausible_integer(hint: str, rng: random.Random) -> int:
    words = hint_words(hint)
    low, high = _INTEGER_RANGES.get(words[-1] if words else "", (1, 100))
    return rng.randint(low, high)


def plausible_number(hint: str, rng: random.Random) -> float:
    words = hint_words(hint)
    low, high, decimals = _NUMBER_RANGES.get(words[-1] if words else "", (0, 100, 2))
    return round(rng.uniform(low, high), decimals)


def _email(rng: random.Random) -> str:
    return f"{rng.choice(_FIRST).lower()}.{rng.choice(_LAST).lower()}@example.com"


def _identifier(rng: random.Random) -> str:
    return f"{rng.choice(_WORDS)}-{rng.randint(100, 999)}"


_FORMATS: dict[str, Callable[[random.Random], str]] = {
    "date": lambda rng: f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
    "date-time": lambda rng: (
        f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T"
        f"{rng.randint(0, 23):02d}:{rng.choice((0, 15, 30, 45)):02d}:00Z"
    ),
    "time": lambda rng: f"{rng.randint(0, 23):02d}:{rng.choice((0, 15, 30, 45)):02d}:00Z",
    "email": _email,
    "idn-email": _email,
    "uri": lambda rng: f"https://example.com/{rng.choice(_WORDS)}",
    "iri": lambda rng: f"https://example.com/{rng.choice(_WORDS)}",
    "uri-reference": lambda rng: f"/{rng.choice(_WORDS)}/{rng.randint(1, 99)}",
    "uuid": lambda rng: str(uuid.UUID(int=rng.getrandbits(128), version=4)),
    "hostname": lambda rng: f"{rng.choice(_WORDS)}.example.com",
    "ipv4": lambda rng: f"192.0.2.{rng.randint(1, 254)}",
    "ipv6": lambda rng: f"2001:db8::{rng.randint(1, 0xFFFF):x}",
    "duration": lambda rng: f"PT{rng.randint(1, 59)}M",
}


def format_string(fmt: str, rng: random.Random) -> str | None:
    """A valid string of a known `format`; None for formats the mock does not know."""
    make = _FORMATS.get(fmt)
    return make(rng) if make is not None else None


_STRING_MAKERS: dict[str, Callable[[random.Random], str]] = {
    "name": lambda rng: f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
    "first": lambda rng: rng.choice(_FIRST),
    "last": lambda rng: rng.choice(_LAST),
    "username": lambda rng: f"{rng.choice(_FIRST).lower()}{rng.randint(1, 99)}",
    "city": lambda rng: rng.choice(_CITIES),
    "location": lambda rng: f"{rng.choice(_CITIES)}",
    "country": lambda rng: rng.choice(_COUNTRIES),
    "address": lambda rng: f"{rng.randint(1, 200)} {rng.choice(_WORDS).title()} Street",
    "email": _email,
    "phone": lambda rng: f"+1-555-01{rng.randint(0, 99):02d}",
    "url": _FORMATS["uri"],
    "website": _FORMATS["uri"],
    "link": _FORMATS["uri"],
    "company": lambda rng: rng.choice(_COMPANIES),
    "organization": lambda rng: rng.choice(_COMPANIES),
    "title": lambda rng: rng.choice(_TITLES),
    "color": lambda rng: rng.choice(_COLORS),
    "colour": lambda rng: rng.choice(_COLORS),
    "language": lambda rng: rng.choice(_LANGUAGES),
    "currency": lambda rng: rng.choice(_CURRENCIES),
    "status": lambda rng: rng.choice(_STATUSES),
    "category": lambda rng: rng.choice(_CATEGORIES),
    "type": lambda rng: rng.choice(_CATEGORIES),
    "kind": lambda rng: rng.choice(_CATEGORIES),
    "tag": lambda rng: rng.choice(_WORDS),
    "keyword": lambda rng: rng.choice(_WORDS),
    "id": _identifier,
    "uuid": _FORMATS["uuid"],
    "date": _FORMATS["date"],
    "time": _FORMATS["time"],
    "timestamp": _FORMATS["date-time"],
    "timezone": lambda rng: rng.choice(("Europe/Paris", "Asia/Tokyo", "America/Toronto")),
    "unit": lambda rng: rng.choice(("celsius", "fahrenheit")),
    "code": lambda rng: f"{rng.choice(_WORDS)[:3].upper()}{rng.randint(100, 999)}",
}
for _word in (
    "description",
    "summary",
    "text",
    "content",
    "message",
    "comment",
    "note",
    "reason",
    "answer",
    "query",
    "question",
    "body",
    "details",
):
    _STRING_MAKERS[_word] = lambda rng: rng.choice(_SENTENCES)
for _word in ("place", "destination", "origin", "region"):
    _STRING_MAKERS[_word] = _STRING_MAKERS["location"]


def plausible_string(hint: str, rng: random.Random) -> str:
    words = hint_words(hint)
    if not words:
        return rng.choice(_WORDS)
    last = words[-1]
    if last == "name" and len(words) > 1 and words[-2] in ("first", "last", "user"):
        last = "username" if words[-2] == "user" else words[-2]
    make = _STRING_MAKERS.get(last) or _STRING_MAKERS.get(singular(last))
    if make is not None:
        return make(rng)
    return f"{rng.choice(_WORDS)} {rng.choice(_WORDS)}"


def filler_word(rng: random.Random) -> str:
    return rng.choice(_WORDS)
