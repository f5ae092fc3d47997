"""The models the Llama API served, and what each can take."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ModelInfo:
    id: str
    created: int
    owned_by: str = "Meta"
    takes_images: bool = True


MODELS: tuple[ModelInfo, ...] = (
    ModelInfo("Llama-4-Maverick-17B-128E-Instruct-FP8", 1743897600),
    ModelInfo("Llama-4-Scout-17B-16E-Instruct-FP8", 1743897600),
    ModelInfo("Llama-3.3-70B-Instruct", 1733443200, takes_images=False),
    ModelInfo("Llama-3.3-8B-Instruct", 1733443200, takes_images=False),
    ModelInfo("Cerebras-Llama-4-Maverick-17B-128E-Instruct", 1746057600, owned_by="Cerebras"),
    ModelInfo("Cerebras-Llama-4-Scout-17B-16E-Instruct", 1746057600, owned_by="Cerebras"),
    ModelInfo("Groq-Llama-4-Maverick-17B-128E-Instruct", 1746057600, owned_by="Groq"),
)
MODERATION_MODEL = "Llama-Guard"

_BY_ID = {model.id: model for model in MODELS}


def find_model(model_id: str) -> ModelInfo | None:
    return _BY_ID.get(model_id)


def takes_images(model_id: str) -> bool:
    """False for models known to take no images (Llama-3.3-*); unknown models are given the benefit."""
    known = _BY_ID.get(model_id)
    if known is not None:
        return known.takes_images
    return not model_id.startswith("Llama-3.3")
