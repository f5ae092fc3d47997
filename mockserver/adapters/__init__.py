"""The mock on real servers: the Flask app, serving, a live server, respx."""

__all__: list[str] = []
