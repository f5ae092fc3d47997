"""The engine reads the conversation: a table of conversations played with the official SDK
(native) and the openai SDK (compat), streamed and not, asserting the tool chosen, every argument,
structured documents and text answers. The four ways must give the same answer."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import openai
import pytest
from llama_api_client import LlamaAPIClient

MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"
STRING = {"type": "string"}
INTEGER = {"type": "integer"}
NUMBER = {"type": "number"}


def tool(name: str, description: str = "", /, **properties: Any) -> dict[str, Any]:
    parameters = {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
    return {
        "type": "function",
        "function": {"name": name, "description": description, "parameters": parameters},
    }


def obj(**properties: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


ADD = tool("add", "Add two numbers", a=INTEGER, b=INTEGER)
MULTIPLY = tool("multiply", "Multiply two numbers", a=INTEGER, b=INTEGER)
GREET = tool("greet", "Greet a person by name", name=STRING)
WEATHER = tool("get_weather", "Current weather for a city", city=STRING)
STOCK = tool(
    "get_stock_price", "Latest stock price", ticker={"type": "string", "pattern": "^[A-Z]{1,5}$"}
)
BOOK = tool(
    "book_tickets",
    "Book theatre tickets",
    count=INTEGER,
    show=STRING,
    date={"type": "string", "format": "date"},
)
TRANSFER = tool("transfer_money", "Transfer money to a recipient", amount=NUMBER, currency=STRING,
                recipient=STRING)  # fmt: skip
INVITE_GUEST = tool("invite_guest", "Invite a guest", name=STRING,
                    date={"type": "string", "format": "date"})  # fmt: skip
CONVERT = tool(
    "convert_currency",
    "Convert an amount between currencies",
    amount=NUMBER,
    from_currency=STRING,
    to_currency=STRING,
)
# Declared destination first, so the order said ("from Berlin to Lisbon") cannot decide alone.
FLIGHT = tool(
    "book_flight",
    "Book a flight",
    destination=STRING,
    origin=STRING,
    date={"type": "string", "format": "date"},
)
CURRENCY_CODE = {"type": "string", "enum": ["USD", "EUR", "GBP", "JPY", "CAD"]}
CONVERT_ENUM = tool(
    "convert_currency",
    "Convert an amount between currencies",
    amount=NUMBER,
    from_currency=CURRENCY_CODE,
    to_currency=CURRENCY_CODE,
)
CONVERT_TO_FIRST = tool(
    "convert_currency", "Convert money", to_currency=STRING, from_currency=STRING, amount=NUMBER
)
TRANSLATE_BETWEEN = tool(
    "translate", "Translate text", text=STRING, target_language=STRING, source_language=STRING
)
EVENT = tool(
    "create_event", "Add to the calendar", title=STRING, start={"type": "string", "format": "date-time"}
)
WEATHER_OPTIONAL_UNIT = tool(
    "get_weather", "Current weather", city=STRING, unit={"enum": ["celsius", "fahrenheit"]}
)
WEATHER_OPTIONAL_UNIT["function"]["parameters"]["required"] = ["city"]
SEARCH = tool("search", "Search the web", query=STRING)
FINAL = tool("final_result", "The final response which ends this conversation", answer=STRING)
FINAL_WEATHER = tool(
    "final_result", "The final response", city=STRING, temperature=INTEGER, condition=STRING
)
FINAL_SUMMARY = tool(
    "final_result", "The final response", conditions=STRING, city=STRING, summary=STRING
)
EMAIL = tool(
    "send_email", "Send an e-mail", to={"type": "string", "format": "email"}, body=STRING
)
FETCH = tool("fetch_page", "Download a web page", url={"type": "string", "format": "uri"})
WEATHER_UNIT = tool(
    "get_weather",
    "Current weather",
    city=STRING,
    unit={"type": "string", "enum": ["celsius", "fahrenheit"]},
)
PRIORITY = tool(
    "set_priority",
    "Change a ticket's priority",
    ticket_id=INTEGER,
    priority={"type": "string", "enum": ["low", "medium", "high"]},
)
SCHEDULE = tool(
    "schedule_call", "Schedule a call", date={"type": "string", "format": "date"}, time=STRING
)
THERMOSTAT = tool("set_thermostat", "Set the thermostat", degrees=NUMBER)
NOTIFY = tool("set_notifications", "Turn notifications on or off", enabled={"type": "boolean"})
TAG = tool("tag_post", "Tag a post", tags={"type": "array", "items": STRING})
COMPARE = tool("compare_weather", "Compare weather", cities={"type": "array", "items": STRING})
TIME = tool("get_time", "Current time in a timezone", timezone=STRING)
PROFILE = tool("create_profile", "Create a user profile", full_name=STRING)
TRANSLATE = tool("translate", "Translate text", text=STRING, target_language=STRING)
INVITE = tool(
    "invite",
    "Invite people to a meeting",
    attendees={"type": "array", "items": obj(name=STRING, email={"type": "string", "format": "email"})},
    date={"type": "string", "format": "date"},
)


ATTENDEES = [
    {"name": "Ada Lovelace", "email": "ada@example.com"},
    {"name": "Alan Turing", "email": "alan@example.org"},
]
PEOPLE = [{"name": "Marie Curie", "age": 66}, {"name": "Albert Einstein", "age": 76}]


@dataclass
class Case:
    id: str
    ask: str | list[Any]  # the last user text, or messages (with `called(...)` for tool turns)
    tools: list[Any] = field(default_factory=list)
    choice: Any = None
    schema: Any = None
    calls: list[tuple[str, dict[str, Any]]] | None = None
    text: str | None = None
    document: Any = None


@dataclass
class Called:
    """An assistant turn that called a function, and the tool's answer."""

    name: str
    arguments: dict[str, Any]
    result: str


def weather_then(result: str, city: str = "Oslo") -> list[Any]:
    return [
        f"What's the weather in {city}?",
        Called("get_weather", {"city": city}, result),
    ]


CASES = [
    Case("add", "Add 3 and 5 with the add tool", [ADD], calls=[("add", {"a": 3, "b": 5})]),
    Case(
        "multiply",
        "Use the multiply tool to compute 12 times 34",
        [MULTIPLY],
        calls=[("multiply", {"a": 12, "b": 34})],
    ),
    Case(
        "numbers-fit-without-shared-words",
        "What is 12 times 34?",
        [WEATHER, MULTIPLY],
        calls=[("multiply", {"a": 12, "b": 34})],
    ),
    Case("greet", "Please greet Zoë Núñez", [GREET], calls=[("greet", {"name": "Zoë Núñez"})]),
    Case(
        "reykjavik",
        "What's the weather in Reykjavík?",
        [WEATHER],
        calls=[("get_weather", {"city": "Reykjavík"})],
    ),
    Case(
        "madrid-spanish",
        "¿Qué tiempo hace en Madrid?",
        [WEATHER],
        calls=[("get_weather", {"city": "Madrid"})],
    ),
    Case(
        "sao-paulo",
        "What's the weather in São Paulo?",
        [WEATHER],
        calls=[("get_weather", {"city": "São Paulo"})],
    ),
    Case(
        "book",
        "Book 2 tickets for 'Swan Lake' on 2027-01-05",
        [BOOK],
        calls=[("book_tickets", {"count": 2, "show": "Swan Lake", "date": "2027-01-05"})],
    ),
    Case(
        "convert",
        "Convert 19.99 USD to EUR",
        [CONVERT],
        calls=[
            (
                "convert_currency",
                {"amount": 19.99, "from_currency": "USD", "to_currency": "EUR"},
            )
        ],
    ),
    Case(
        "flight-from-to",
        "Book a flight from Berlin to Lisbon on 2027-05-01",
        [FLIGHT],
        calls=[("book_flight", {"destination": "Lisbon", "origin": "Berlin", "date": "2027-05-01"})],
    ),
    Case(  # "from Oslo" in an earlier turn is still the origin; the last turn's "to Rome" is not
        "flight-from-earlier-turn",
        ["I'm flying from Oslo", "Where to?", "To Rome on 2027-08-01, book it"],
        [FLIGHT],
        choice="required",
        calls=[("book_flight", {"destination": "Rome", "origin": "Oslo", "date": "2027-08-01"})],
    ),
    Case(
        "convert-to-declared-first",
        "Convert 250 EUR to JPY",
        [CONVERT_TO_FIRST],
        calls=[("convert_currency", {"to_currency": "JPY", "from_currency": "EUR", "amount": 250})],
    ),
    Case(
        "translate-from-to",
        "Translate 'good morning' from German to French",
        [TRANSLATE_BETWEEN],
        calls=[
            (
                "translate",
                {"text": "good morning", "target_language": "French", "source_language": "German"},
            )
        ],
    ),
    Case(  # no word shared: the values relate the tool (a number, and codes where codes are asked)
        "convert-by-values",
        "How much is 250 EUR in JPY?",
        [CONVERT],
        calls=[("convert_currency", {"amount": 250, "from_currency": "EUR", "to_currency": "JPY"})],
    ),
    Case(  # no word shared: an amount, a code and a person's name where a recipient is asked for
        "transfer-to-a-person",
        "Überweise 1.299,99 EUR an Klaus Müller",
        [TRANSFER],
        calls=[
            ("transfer_money", {"amount": 1299.99, "currency": "EUR", "recipient": "Klaus Müller"})
        ],
    ),
    Case(  # a date and a guest's name relate the tool; the quoted name, not the first word
        "invite-a-guest",
        "Put 'Ada Lovelace' down for 2027-01-05",
        [WEATHER, INVITE_GUEST],
        calls=[("invite_guest", {"name": "Ada Lovelace", "date": "2027-01-05"})],
    ),
    Case(  # no word shared ("get" and "user" say nothing): the identifier relates the tool
        "get-user-by-id",
        "get user u-1029",
        [WEATHER, tool("get_user", "Fetch a user profile by id", user_id=STRING)],
        calls=[("get_user", {"user_id": "u-1029"})],
    ),
    Case(  # a name alone does not relate a tool: a person is no city and no date
        "a-person-is-no-reason",
        "Tell me about Ada Lovelace",
        [WEATHER, INVITE_GUEST],
        text="*",
    ),
    Case(  # currencies in words: the one after the amount is converted from, "to" the other
        "convert-currency-words",
        "Convert 99 euros to dollars",
        [CONVERT],
        calls=[("convert_currency", {"amount": 99, "from_currency": "EUR", "to_currency": "USD"})],
    ),
    Case(  # no word shared, the amount's currency named last, the schema's "to" declared first
        "convert-currency-words-amount-last",
        "How many yen is 50 pounds?",
        [CONVERT_TO_FIRST],
        calls=[("convert_currency", {"to_currency": "JPY", "from_currency": "GBP", "amount": 50})],
    ),
    Case(  # a currency symbol is the amount's currency; "Yen" after "in" is no city to weather
        "convert-currency-symbol",
        "What's $20 in Yen?",
        [WEATHER, CONVERT],
        calls=[("convert_currency", {"amount": 20, "from_currency": "USD", "to_currency": "JPY"})],
    ),
    Case(  # strict schemas: an enum of codes takes a currency said in words
        "convert-currency-enum",
        "Convert 100 canadian dollars to US dollars",
        [CONVERT_ENUM],
        calls=[("convert_currency", {"amount": 100, "from_currency": "CAD", "to_currency": "USD"})],
    ),
    Case(
        "event-by-values",
        "Put 'Design review' down for 2027-04-02T10:00:00Z",
        [EVENT],
        calls=[("create_event", {"title": "Design review", "start": "2027-04-02T10:00:00Z"})],
    ),
    Case("code-alone-unrelated", "Tell me about AI", [STOCK], text="*"),  # a code fits any ticker
    Case(  # an optional argument the user did not give is left out, as a model would
        "optional-not-given",
        "What's the weather in Reykjavík?",
        [WEATHER_OPTIONAL_UNIT],
        calls=[("get_weather", {"city": "Reykjavík"})],
    ),
    Case(
        "optional-given",
        "What's the weather in Reykjavík in fahrenheit?",
        [WEATHER_OPTIONAL_UNIT],
        calls=[("get_weather", {"city": "Reykjavík", "unit": "fahrenheit"})],
    ),
    Case("haiku-unrelated", "Write a haiku about autumn leaves", [STOCK], text="*"),
    Case("joke-unrelated", "Tell me a joke about cats", [WEATHER], text="*"),
    Case(
        "stock-among-two",
        "What is the stock price of ACME today?",
        [WEATHER, STOCK],
        calls=[("get_stock_price", {"ticker": "ACME"})],
    ),
    Case(
        "parallel-cities",
        "What's the weather in Paris and in Rome?",
        [WEATHER],
        calls=[("get_weather", {"city": "Paris"}), ("get_weather", {"city": "Rome"})],
    ),
    Case(  # a strict tool: every parameter required; only city takes the listed cities
        "parallel-cities-strict",
        "What's the weather in Paris and in Rome in fahrenheit?",
        [WEATHER_UNIT],
        calls=[("get_weather", {"city": "Paris", "unit": "fahrenheit"}),
               ("get_weather", {"city": "Rome", "unit": "fahrenheit"})],
    ),
    Case(
        "email",
        "Send an email to ada@example.com saying 'See you at ten'",
        [EMAIL],
        calls=[("send_email", {"to": "ada@example.com", "body": "See you at ten"})],
    ),
    Case(
        "url",
        "Summarize https://example.org/posts/42 for me",
        [FETCH],
        calls=[("fetch_page", {"url": "https://example.org/posts/42"})],
    ),
    Case(
        "enum-unit",
        "What's the weather in Oslo in fahrenheit?",
        [WEATHER_UNIT],
        calls=[("get_weather", {"city": "Oslo", "unit": "fahrenheit"})],
    ),
    Case(
        "enum-upper-case",
        "Set the priority of ticket 42 to HIGH",
        [PRIORITY],
        calls=[("set_priority", {"ticket_id": 42, "priority": "high"})],
    ),
    Case(
        "date-and-time",
        "Schedule a call at 14:30 on 2027-03-01",
        [SCHEDULE],
        calls=[("schedule_call", {"date": "2027-03-01", "time": "14:30"})],
    ),
    Case(
        "negative",
        "Set the thermostat to -5 degrees",
        [THERMOSTAT],
        calls=[("set_thermostat", {"degrees": -5})],
    ),
    Case(
        "boolean",
        "Notifications enabled? yes",
        [NOTIFY],
        calls=[("set_notifications", {"enabled": True})],
    ),
    Case(
        "array-words",
        "Tag this post with red, green and blue",
        [TAG],
        calls=[("tag_post", {"tags": ["red", "green", "blue"]})],
    ),
    Case(  # an item with a digit is a word all the same; "Tag" opens the sentence, no name
        "array-words-with-digits",
        "Tag this post with finance, planning and q1",
        [TAG],
        calls=[("tag_post", {"tags": ["finance", "planning", "q1"]})],
    ),
    Case(
        "array-cities",
        "Compare the weather in Paris, Rome and Oslo",
        [COMPARE],
        calls=[("compare_weather", {"cities": ["Paris", "Rome", "Oslo"]})],
    ),
    Case(
        "named-choice",
        "What time is it in Tokyo?",
        [WEATHER, TIME],
        choice={"type": "function", "function": {"name": "get_time"}},
        calls=[("get_time", {"timezone": "Tokyo"})],
    ),
    Case(
        "quoted-query",
        "Search for 'vector databases'",
        [SEARCH],
        calls=[("search", {"query": "vector databases"})],
    ),
    Case(
        "translate",
        "Translate \u201cGrüß Gott\u201d to English",
        [TRANSLATE],
        calls=[("translate", {"text": "Grüß Gott", "target_language": "English"})],
    ),
    Case(
        "earlier-turn",
        ["My name is Kenji Tanaka", "Nice to meet you!", "Please create my profile"],
        [PROFILE],
        calls=[("create_profile", {"full_name": "Kenji Tanaka"})],
    ),
    Case(
        "required-search-first",
        "Find papers about protein folding",
        [SEARCH, FINAL],
        choice="required",
        calls=[("search", {"query": "Find papers about protein folding"})],
    ),
    Case(
        "required-then-final",
        ["Who wrote 'Dune'?", Called("search", {"query": "Dune"}, '{"answer": "Frank Herbert"}')],
        [SEARCH, FINAL],
        choice="required",
        calls=[("final_result", {"answer": "Frank Herbert"})],
    ),
    Case(
        "required-weather-first",
        "What's the weather in Oslo?",
        [WEATHER, FINAL_WEATHER],
        choice="required",
        calls=[("get_weather", {"city": "Oslo"})],
    ),
    Case(
        "required-final-from-results",
        weather_then('{"temperature": 7, "condition": "snow"}'),
        [WEATHER, FINAL_WEATHER],
        choice="required",
        calls=[("final_result", {"city": "Oslo", "temperature": 7, "condition": "snow"})],
    ),
    Case(  # "conditions" takes the result's "condition"; "summary" the results in plain words
        "required-final-summary",
        weather_then('{"wind": "strong", "condition": "sleet"}', "Reykjavík"),
        [WEATHER, FINAL_SUMMARY],
        choice="required",
        calls=[
            (
                "final_result",
                {
                    "conditions": "sleet",
                    "city": "Reykjavík",
                    "summary": "The weather in Reykjavík: wind strong, condition sleet.",
                },
            )
        ],
    ),
    Case(
        "required-no-unrelated-detour",
        weather_then('{"temperature": 7, "condition": "snow"}', "Paris"),
        [WEATHER, SEARCH, FINAL_WEATHER],
        choice="required",  # search could take "Paris", but the turn names the weather tool only
        calls=[("final_result", {"city": "Paris", "temperature": 7, "condition": "snow"})],
    ),
    Case(
        "auto-report-json",
        weather_then('{"temperature": 7, "condition": "snow"}'),
        [WEATHER],
        text="The weather in Oslo: temperature 7, condition snow.",
    ),
    Case(
        "auto-report-text",
        weather_then("Light rain, 12 C", "Bellevue"),
        [WEATHER],
        text="The weather in Bellevue: Light rain, 12 C.",
    ),
    Case("tool-choice-none", "What's the weather in Oslo?", [WEATHER], choice="none", text="*"),
    Case("reply-ok", "Reply with the word OK", text="OK"),
    Case("reply-quoted", 'Say "hello world"', text="hello world"),
    Case("repeat", "Repeat after me: Zoë Núñez lives in Reykjavík", text="Zoë Núñez lives in Reykjavík"),
    Case(
        "structured-name-city",
        "Ada Lovelace lives in London",
        schema=obj(name=STRING, city=STRING),
        document={"name": "Ada Lovelace", "city": "London"},
    ),
    Case(  # an id field takes the identifier; the name is not "Customer C" of "Customer C-778"
        "structured-id",
        "Customer C-778 is Ada Lovelace",
        schema=obj(id=STRING, name=STRING),
        document={"id": "C-778", "name": "Ada Lovelace"},
    ),
    Case(
        "structured-curie",
        "Marie Curie, 66 years old, lives in Warsaw",
        schema=obj(name=STRING, age=INTEGER, city=STRING),
        document={"name": "Marie Curie", "age": 66, "city": "Warsaw"},
    ),
    Case(
        "structured-enum-list",
        "She speaks Portuguese and English.",
        schema=obj(languages={"type": "array", "items": {
            "type": "string", "enum": ["english", "portuguese", "german", "spanish"]}}),
        document={"languages": ["portuguese", "english"]},  # each once, in the order said
    ),
    Case(
        "structured-enum-list-one",
        "She speaks english.",
        schema=obj(languages={"type": "array", "items": {
            "type": "string", "enum": ["english", "portuguese", "german", "spanish"]}}),
        document={"languages": ["english"]},
    ),
    Case(
        "structured-after-a-verb",
        "Compare Paris and Rome",
        schema=obj(city=STRING),
        document={"city": "Paris"},  # "Compare" opens the sentence, Paris does not
    ),
    Case(
        "structured-city-first",
        "Ada Lovelace lives in London",
        schema=obj(city=STRING, name=STRING),
        document={"city": "London", "name": "Ada Lovelace"},
    ),
    Case(
        "structured-contact",
        "Contact Grace Hopper at grace@navy.mil before 2027-02-14",
        schema=obj(
            name=STRING,
            email={"type": "string", "format": "email"},
            deadline={"type": "string", "format": "date"},
        ),
        document={"name": "Grace Hopper", "email": "grace@navy.mil", "deadline": "2027-02-14"},
    ),
    Case(
        "structured-enum",
        "Classify as negative: the battery died after a day",
        schema=obj(sentiment={"type": "string", "enum": ["positive", "negative", "neutral"]}),
        document={"sentiment": "negative"},
    ),
    Case(
        "structured-list-of-names",
        "The meeting attendees are Alice, Bob and Carol",
        schema=obj(attendees={"type": "array", "items": STRING}),
        document={"attendees": ["Alice", "Bob", "Carol"]},
    ),
    Case(
        "structured-decimals-with-units",
        "The package weighs 2.5 kg and costs $19.99",
        schema=obj(weight=NUMBER, price=NUMBER),
        document={"weight": 2.5, "price": 19.99},
    ),
    Case(
        "structured-bounds",
        "Give it 4 stars out of 5",
        schema=obj(stars={"type": "integer", "minimum": 1, "maximum": 5}),
        document={"stars": 4},
    ),
    Case(
        "structured-optional-field",
        "I live in Kyoto",
        schema=obj(city={"anyOf": [STRING, {"type": "null"}]}),
        document={"city": "Kyoto"},
    ),
    Case(
        "structured-nested",
        "Linus Torvalds is 55",
        schema=obj(person=obj(name=STRING, age=INTEGER)),
        document={"person": {"name": "Linus Torvalds", "age": 55}},
    ),
    Case(  # one object per person the user names, each with that person's own address
        "invite-records",
        "Invite Ada Lovelace (ada@example.com) and Alan Turing (alan@example.org) on 2027-03-01",
        [INVITE],
        calls=[("invite", {"attendees": ATTENDEES, "date": "2027-03-01"})],
    ),
    Case(  # as many records as people; the city is no third person and stays for its property
        "structured-records",
        "Marie Curie is 66 and Albert Einstein is 76; both worked in Paris",
        schema=obj(people={"type": "array", "items": obj(name=STRING, age=INTEGER)}, city=STRING),
        document={"people": PEOPLE, "city": "Paris"},
    ),
]


def messages(case: Case, *, compat: bool) -> list[dict[str, Any]]:
    turns = [case.ask] if isinstance(case.ask, str) else case.ask
    out: list[dict[str, Any]] = []
    for index, turn in enumerate(turns):
        if isinstance(turn, Called):
            call_id = f"call_{index}"
            function = {"name": turn.name, "arguments": json.dumps(turn.arguments)}
            if compat:
                call = {"id": call_id, "type": "function", "function": function}
                out.append({"role": "assistant", "content": None, "tool_calls": [call]})
            else:
                out.append(
                    {
                        "role": "assistant",
                        "content": {"type": "text", "text": ""},
                        "stop_reason": "tool_calls",
                        "tool_calls": [{"id": call_id, "function": function}],
                    }
                )
            out.append({"role": "tool", "tool_call_id": call_id, "content": turn.result})
        else:
            role = "user" if len(out) % 2 == 0 else "assistant"
            out.append({"role": role, "content": turn})
    return out


def body(case: Case, *, compat: bool) -> dict[str, Any]:
    request: dict[str, Any] = {"model": MODEL, "messages": messages(case, compat=compat)}
    if case.tools:
        request["tools"] = case.tools
    if case.choice is not None:
        request["tool_choice"] = case.choice
    if case.schema is not None:
        request["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": "answer", "schema": case.schema},
        }
    return request


def native(client: LlamaAPIClient, request: dict[str, Any], stream: bool) -> tuple[str, list[Any]]:
    if not stream:
        message = client.chat.completions.create(**request).completion_message
        content = message.content
        text = content if isinstance(content, str) else content.text
        calls = [(c.function.name, json.loads(c.function.arguments)) for c in message.tool_calls]
        return text, calls
    text, names, arguments = "", [], []
    for chunk in client.chat.completions.create(**request, stream=True):
        delta = chunk.event.delta
        if chunk.event.event_type != "progress":
            continue
        if delta.type == "text":
            text += delta.text
        elif delta.id:
            names.append(delta.function.name)
            arguments.append("")
        else:
            arguments[-1] += delta.function.arguments
    return text, [(name, json.loads(args)) for name, args in zip(names, arguments, strict=True)]


def compat(client: openai.OpenAI, request: dict[str, Any], stream: bool) -> tuple[str, list[Any]]:
    if not stream:
        message = client.chat.completions.create(**request).choices[0].message
        calls = [(c.function.name, json.loads(c.function.arguments)) for c in message.tool_calls or []]
        return message.content or "", calls
    text, names, arguments = "", [], []
    for chunk in client.chat.completions.create(**request, stream=True):
        for choice in chunk.choices:
            text += choice.delta.content or ""
            for call in choice.delta.tool_calls or []:
                if call.id:
                    names.append(call.function.name)
                    arguments.append("")
                arguments[call.index] += call.function.arguments or ""
    return text, [(name, json.loads(args)) for name, args in zip(names, arguments, strict=True)]


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("endpoint", ["native", "compat"])
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_the_answer_comes_from_the_conversation(mock, case, endpoint, stream):
    if endpoint == "native":
        client = LlamaAPIClient(api_key="k", base_url=mock.native, max_retries=0)
        text, calls = native(client, body(case, compat=False), stream)
    else:
        client = openai.OpenAI(api_key="k", base_url=mock.compat, max_retries=0)
        text, calls = compat(client, body(case, compat=True), stream)
    if case.calls is not None:
        assert calls == case.calls
        assert text == ""
    elif case.document is not None:
        assert calls == []
        assert json.loads(text) == case.document
    else:
        assert calls == []
        assert text
        if case.text != "*":
            assert text == case.text


def test_the_table_is_large_enough():
    assert len(CASES) >= 40
    assert sum(case.calls is None and case.document is None for case in CASES) >= 5
