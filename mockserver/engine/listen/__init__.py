"""What the conversation says, and which value fills which field."""

__all__: list[str] = []
