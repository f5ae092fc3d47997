"""Hypothesis strategies for the Llama API chat completion contract: valid messages, tools,
conversations, requests, responses and streams, requests broken in exactly one way, and whole
exchanges (a request and the answer the mock gives it) for testing clients."""

from contract.strategies._exchanges import ClientExchange, exchanges
from contract.strategies._invalid import covered_rules, invalid_chat_requests
from contract.strategies._messages import conversations, messages, tools
from contract.strategies._requests import chat_requests
from contract.strategies._responses import chat_responses, stream_events

__all__ = [
    "ClientExchange",
    "chat_requests",
    "chat_responses",
    "conversations",
    "covered_rules",
    "exchanges",
    "invalid_chat_requests",
    "messages",
    "stream_events",
    "tools",
]
