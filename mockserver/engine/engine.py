"""The response engine: what to answer for a validated chat request. No HTTP in here."""

from __future__ import annotations

import hashlib
import json
import random
import string
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, Literal

from contract.violations import json_pointer
from mockserver.engine.completion import Completion, EngineError, StopReason, ToolCall
from mockserver.engine.conversation import Turn, messages_of, prompt_tokens, read_turn
from mockserver.engine.draws import Draws
from mockserver.engine.listen.answers import Answers
from mockserver.engine.listen.extract import Found, Spot
from mockserver.engine.listen.listener import Listener
from mockserver.engine.moderation import ModerationPolicy
from mockserver.engine.provenance import Provenance
from mockserver.engine.schema.facts import SchemaProblem
from mockserver.engine.schema.make.instances import generate_instance
from mockserver.engine.schema.references import outside_reference
from mockserver.engine.text import answer_text, reported
from mockserver.engine.tokens import count_tokens, first_tokens
from mockserver.engine.tools import ChosenFunction, choose_function, spread

Endpoint = Literal["native", "compat"]

_BASE62 = (string.ascii_uppercase + string.ascii_lowercase + string.digits).encode()
_TO_BASE62 = bytes(_BASE62[byte % 62] for byte in range(256))  # for bytes.translate
# Streamed or not, the same answer; with a lower token limit, a prefix of the same answer.
_NOT_CONTENT = frozenset(("stream", "stream_options", "max_completion_tokens", "max_tokens"))
# Requests are parsed JSON, so they hold no cycles to look for.
_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=True, check_circular=False
)
_NO_LIMIT = 1 << 62
# Generation plans, (listen to the conversation, minimal, oneOf exclusive), tried in turn until
# a document validates. Last of the plain ones, only what the schema requires: keywords the
# generator does not read ("not", "if"/"then", "dependentRequired"...) often constrain only the
# optional. Then, for a schema with a oneOf, the same with a value matching two alternatives
# refused: that costs a validator per alternative, and leaves every answer that came before.
_PLANS = (
    (True, False, False), (False, False, False), (False, False, False), (False, True, False),
    (True, False, True), (False, False, True), (False, True, True),
)  # fmt: skip
_PLAIN_PLANS = 4
_NO_PARAMETERS = {"type": "object", "properties": {}}
_RULES = {  # (what the schema belongs to, problem kind) -> rule id
    ("response_format", "unsatisfiable"): "response_format.schema.unsatisfiable",
    ("response_format", "unsupported"): "response_format.schema.unsupported",
    ("response_format", "invalid"): "response_format.schema.invalid",
    ("tools", "unsatisfiable"): "tools.parameters.unsatisfiable",
    ("tools", "unsupported"): "tools.parameters.unsupported",
    ("tools", "invalid"): "tools.parameters.invalid_schema",
}


def _base62(data: bytes) -> str:
    return data.translate(_TO_BASE62).decode("ascii")


def _report_of(turn: Turn) -> Callable[[], str] | None:
    """What a summing-up string ("summary", "answer") takes after tool results, made when asked."""
    return (lambda: reported(turn)) if turn.answered else None


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def token_limit(request: Mapping[str, Any], endpoint: Endpoint) -> int | None:
    """The answer's token limit: `max_completion_tokens` (compat: or `max_tokens`), None for none.
    JSON Schema counts 5.0 as an integer, and so does the contract: it is a limit of 5."""
    keys = (
        ("max_completion_tokens",)
        if endpoint == "native"
        else ("max_completion_tokens", "max_tokens")
    )
    for key in keys:
        value = request.get(key)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return value
    return None


def _json_schema(request: Mapping[str, Any]) -> Any | None:
    """The schema of a json_schema response_format, or None for plain text answers."""
    response_format = request.get("response_format")
    if not isinstance(response_format, Mapping) or response_format.get("type") != "json_schema":
        return None
    wrapper = response_format.get("json_schema")
    schema = wrapper.get("schema") if isinstance(wrapper, Mapping) else None
    return schema if schema is not None else {"type": "object"}


@lru_cache(maxsize=256)
def _schema_validator(schema_text: str) -> tuple[Any, SchemaProblem | None]:
    """The validator of a client's schema, or None and its first reference outside it: a "$ref"
    to "http://..." or "file:///..." must not make the mock fetch a URL or read a file (`offline`
    holds that for the validator too). Its patterns compile with jsonschema-rs's default regex
    options, as in `contract.validate.request_rules.ecma_regex`: the contract accepts what this reads."""
    import jsonschema_rs

    schema = json.loads(schema_text)
    outside = outside_reference(schema)
    if outside is not None:
        return None, outside
    return jsonschema_rs.validator_for(schema, validate_formats=True, offline=True), None


class Engine:
    """Deterministic answers: the same request and seed give the same `Completion`."""

    def __init__(self, *, seed: int = 0, moderation: ModerationPolicy | None = None) -> None:
        self.seed = seed
        self.moderation = moderation if moderation is not None else ModerationPolicy()

    def complete(
        self,
        request: Mapping[str, Any],
        *,
        endpoint: Endpoint = "native",
        provenance: Provenance | None = None,
    ) -> Completion:
        """The answer to a validated chat request; raises `EngineError` for a schema it cannot
        satisfy. With `provenance`, what each value of the answer came from is recorded there."""
        content = {key: value for key, value in request.items() if key not in _NOT_CONTENT}
        digest = hashlib.sha256(f"{self.seed}\n{_CANONICAL.encode(content)}".encode()).digest()
        limit = token_limit(request, endpoint) or _NO_LIMIT
        completion_id = _base62(hashlib.sha256(b"%s%d" % (digest, limit)).digest()[:23])
        messages = messages_of(request)
        turn = read_turn(messages)
        prompt = prompt_tokens(request, messages)
        schema = _json_schema(request)
        listener = Listener(turn)  # reads the conversation only if a value or a choice needs it
        function = choose_function(request, turn, listener)
        if function is None and schema is None:
            text, used = answer_text(Draws(digest), turn)
        else:
            rng = random.Random(digest)
            heard = listener.heard
            if function is not None:
                exclusions = spread(function, heard, listener.asked)
                # Each call draws what the conversation leaves open from the same start, so
                # parallel calls differ only in the values the user listed ("Paris and Rome").
                calls = tuple(
                    self._call(function, (rng if at == 0 else random.Random(digest), rng),
                               turn, heard, ex, provenance)
                    for at, ex in enumerate(exclusions)
                )  # fmt: skip
                used = sum(count_tokens(c.name) + count_tokens(c.arguments) for c in calls)
                if used <= limit:
                    return Completion(completion_id, "", calls, "tool_calls", prompt, used)
                # A call cut short is no call: what the model wrote so far stays plain text.
                call = calls[0]
                if provenance is not None:  # the call's values, now written as text
                    provenance.answer["answer"] = "text"
                arguments = json.loads(call.arguments)
                text = _compact({"type": "function", "name": call.name, "parameters": arguments})
            else:
                answers = Answers(heard, last_user_text=turn.user_text or "",
                                  report=_report_of(turn))  # fmt: skip
                answers.record = [] if provenance is not None else None
                where = "/response_format/json_schema/schema"
                document = self._instance(schema, rng, answers, "response_format", where)
                if provenance is not None:
                    provenance.add_document(document, answers.record or ())
                text = _compact(document)
            used = count_tokens(text)
        stop: StopReason = "stop"
        if used > limit:
            text, used = first_tokens(text, limit)
            stop = "length"
        return Completion(completion_id, text, (), stop, prompt, used)

    def _call(
        self,
        function: ChosenFunction,
        rngs: tuple[random.Random, random.Random],
        turn: Turn,
        heard: Found,
        exclude: frozenset[Spot],
        provenance: Provenance | None,
    ) -> ToolCall:
        """A call of `function`: its arguments drawn with the first of `rngs`, its id with the
        second."""
        schema = function.parameters if function.parameters is not None else _NO_PARAMETERS
        where = f"/tools/{function.index}/function/parameters"
        answers = Answers(heard, last_user_text=turn.user_text or "", exclude=exclude,
                          report=_report_of(turn))  # fmt: skip
        answers.record = [] if provenance is not None else None
        instance = self._instance(schema, rngs[0], answers, "tools", where)
        if provenance is not None:
            provenance.add_call(function.name, instance, answers.record or ())
        arguments = _compact(instance)
        return ToolCall("call_" + _base62(rngs[1].randbytes(24)), function.name, arguments)

    def _instance(
        self, schema: Any, rng: random.Random, answers: Answers, owner: str, path: str
    ) -> Any:
        """An instance of `schema`, checked by a real validator before it is returned: values
        from the conversation first; generated ones when those do not validate."""
        try:
            schema_text = json.dumps(schema, sort_keys=True)
            validator, outside = _schema_validator(schema_text)
        except (ValueError, TypeError) as exc:  # jsonschema_rs reports a bad schema as ValueError
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise EngineError(
                rule=_RULES[(owner, "invalid")],
                path=path,
                message=f"not a valid JSON Schema: {reason}",
            ) from None
        if outside is not None:
            rule = _RULES[(owner, outside.kind)]
            raise EngineError(rule=rule, path=path + outside.pointer, message=outside.reason)
        problem = ""
        exclusive = '"oneOf"' in schema_text
        for listen, minimal, exclusive_one_of in _PLANS[: None if exclusive else _PLAIN_PLANS]:
            if answers.record:  # what an earlier plan heard is not this one's
                answers.record.clear()
            try:
                listening = answers if listen else None
                instance = generate_instance(schema, rng=rng, answers=listening, minimal=minimal,
                                             exclusive=exclusive_one_of,
                                             heard_optional_only=owner == "tools")  # fmt: skip
            except SchemaProblem as exc:
                rule = _RULES[(owner, exc.kind)]
                raise EngineError(rule=rule, path=path + exc.pointer, message=exc.reason) from None
            error = next(iter(validator.iter_errors(instance)), None)
            if error is None:
                return instance
            problem = f"{error.message} (at {json_pointer(error.instance_path) or '/'})"
        raise EngineError(
            rule=_RULES[(owner, "unsupported")], path=path,
            message=f"the mock could not generate a value valid against this schema: {problem}",
        )  # fmt: skip

    def explain(self, request: Mapping[str, Any], *, endpoint: Endpoint = "native") -> str:
        """The `x-mock-provenance` header of the answer to `request`: it is answered again,
        recording where each value came from (the same answer: the engine is deterministic)."""
        provenance = Provenance()
        self.complete(request, endpoint=endpoint, provenance=provenance)
        return provenance.header()

    def moderate(self, request: Mapping[str, Any]) -> dict[str, Any]:
        """The native `/v1/moderations` response body for a validated request."""
        return self.moderation.moderate(request)
