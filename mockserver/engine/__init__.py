"""The response engine: what the mock answers for a validated request (no web framework here)."""

from mockserver.engine.completion import Completion, EngineError, ToolCall
from mockserver.engine.conversation import prompt_tokens
from mockserver.engine.engine import Engine, token_limit
from mockserver.engine.moderation import (
    DEFAULT_MODERATION_RULES,
    LLAMA_GUARD_CATEGORIES,
    ModerationPolicy,
)
from mockserver.engine.render import (
    compat_response,
    compat_response_bytes,
    compat_stream,
    native_response,
    native_response_bytes,
    native_stream,
)
from mockserver.engine.schema.make.instances import SchemaProblem, generate_instance
from mockserver.engine.tokens import count_tokens, tokenize

__all__ = [
    "DEFAULT_MODERATION_RULES",
    "LLAMA_GUARD_CATEGORIES",
    "Completion",
    "Engine",
    "EngineError",
    "ModerationPolicy",
    "SchemaProblem",
    "ToolCall",
    "compat_response",
    "compat_response_bytes",
    "compat_stream",
    "count_tokens",
    "generate_instance",
    "native_response",
    "native_response_bytes",
    "native_stream",
    "prompt_tokens",
    "token_limit",
    "tokenize",
]
