"""`invalid_chat_requests`: valid requests with one defect, paired with the rule it breaks."""

from __future__ import annotations

from collections.abc import Iterable

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from contract.strategies import _defects as schema_level
from contract.strategies import _defects_semantic as semantic
from contract.strategies._common import JSON, check_endpoint, check_flag
from contract.strategies._defects import Defect

DEFECTS: dict[str, Defect] = {
    "field.required": schema_level.field_required,
    "field.type": schema_level.field_type,
    "field.enum": schema_level.field_enum,
    "field.range": schema_level.field_range,
    "field.length": schema_level.field_length,
    "field.pattern": schema_level.field_pattern,
    "message.role.unknown": schema_level.role_unknown,
    "content.type.unknown": schema_level.content_type_unknown,
    "messages.empty": schema_level.messages_empty,
    "tool_result.unanswered": semantic.tool_result_unanswered,
    "tool_choice.undeclared": semantic.tool_choice_undeclared,
    "tool_choice.without_tools": semantic.tool_choice_without_tools,
    "tools.duplicate_name": semantic.tools_duplicate_name,
    "tools.parameters.invalid_schema": semantic.tools_parameters_invalid,
    "response_format.schema.invalid": semantic.response_schema_invalid,
    "image.data_url.malformed": semantic.image_data_url_malformed,
    "image.url.scheme": semantic.image_url_scheme,
    "image.unsupported_model": semantic.image_unsupported_model,
    "tool_call.arguments.not_json": semantic.arguments_not_json,
    "response_format.unsupported": semantic.response_format_unsupported,
}
# Rules that are warnings by default and errors only under strict validation.
STRICT_DEFECTS: dict[str, Defect] = {
    "field.unknown": schema_level.field_unknown,
    "model.unknown": schema_level.model_unknown,
}


def covered_rules(*, strict: bool = False) -> frozenset[str]:
    """The rule ids `invalid_chat_requests(strict=strict)` can break."""
    return frozenset(DEFECTS) | (frozenset(STRICT_DEFECTS) if strict else frozenset())


def _check_rules(rules: object, *, strict: bool) -> list[str]:
    available = covered_rules(strict=strict)
    if rules is None:
        return sorted(available)
    if isinstance(rules, str) or not isinstance(rules, Iterable):
        raise InvalidArgument(f"rules={rules!r}; expected None or a collection of rule ids")
    chosen = list(dict.fromkeys(rules))
    if not chosen:
        raise InvalidArgument("rules=[] selects nothing; pass None for every rule")
    for rule_id in chosen:
        if rule_id in STRICT_DEFECTS and not strict:
            raise InvalidArgument(
                f"rules: {rule_id!r} is an error only under strict validation; pass strict=True"
            )
        if rule_id not in available:
            raise InvalidArgument(
                f"rules: {rule_id!r} is not a request rule these strategies can break; "
                f"known: {', '.join(sorted(available))}"
            )
    return chosen


def invalid_chat_requests(
    *, endpoint: str = "native", rules: Iterable[str] | None = None, strict: bool = False
) -> st.SearchStrategy[tuple[JSON, str]]:
    """`(payload, rule_id)`: a valid request with ONE defect, which `validate_request(payload,
    endpoint=endpoint, strict=strict)` reports as errors of exactly that rule. `rules` limits
    the rules drawn from; `field.unknown` and `model.unknown` need `strict=True`."""
    where = check_endpoint(endpoint)
    check_flag("strict", strict, optional=False)
    chosen = _check_rules(rules, strict=strict)
    builders: dict[str, Defect] = {**DEFECTS, **STRICT_DEFECTS}

    def broken(rule_id: str) -> st.SearchStrategy[tuple[JSON, str]]:
        return builders[rule_id](where).map(lambda payload: (payload, rule_id))

    return st.sampled_from(chosen).flatmap(broken)
