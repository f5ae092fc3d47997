"""The route table: one list of endpoints that the Flask app, the respx transport and /openapi.json share."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from mockserver.core.http import Dialect

NATIVE_PREFIX = "/v1"
COMPAT_PREFIX = "/compat/v1"


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    path: str  # a "{model}" segment at the end is a parameter
    handler: str  # name of the MockService method that answers
    dialect: Dialect = "native"
    admin: bool = False
    authenticated: bool = True
    documented: bool = True  # listed in /openapi.json

    @property
    def prefix(self) -> str:
        return self.path.removesuffix("{model}")


def _api_routes() -> list[Route]:
    routes: list[Route] = []
    for prefix, documented in ((NATIVE_PREFIX, True), ("", False)):
        routes += [
            Route("POST", f"{prefix}/chat/completions", "chat", documented=documented),
            Route("GET", f"{prefix}/models", "models", documented=documented),
            Route("GET", f"{prefix}/models/{{model}}", "model", documented=documented),
            Route("POST", f"{prefix}/moderations", "moderations", documented=documented),
        ]
    routes += [
        Route("POST", f"{COMPAT_PREFIX}/chat/completions", "chat", "compat"),
        Route("GET", f"{COMPAT_PREFIX}/models", "models", "compat"),
        Route("GET", f"{COMPAT_PREFIX}/models/{{model}}", "model", "compat"),
    ]
    return routes


ROUTES: tuple[Route, ...] = (
    *_api_routes(),
    Route("GET", "/openapi.json", "openapi", authenticated=False, documented=False),
    Route("GET", "/health", "health", authenticated=False),
    Route(
        "GET", "/_mock/journal", "journal_list", admin=True, authenticated=False, documented=False
    ),
    Route(
        "DELETE",
        "/_mock/journal",
        "journal_clear",
        admin=True,
        authenticated=False,
        documented=False,
    ),
    Route("POST", "/_mock/reset", "reset", admin=True, authenticated=False, documented=False),
    *(
        Route(method, path, handler, admin=True, authenticated=False, documented=False)
        for path, handler in (
            ("/_mock/scenarios", "scenarios_admin"),
            ("/_mock/faults", "faults_admin"),
        )
        for method in ("GET", "POST", "DELETE")
    ),
)


@dataclass(frozen=True, slots=True)
class RouteMatch:
    route: Route | None
    allowed: tuple[str, ...] = ()  # methods the path takes, when the method did not match
    model: str | None = None


class Router:
    def __init__(self, routes: tuple[Route, ...] | list[Route] = ROUTES) -> None:
        self.routes = tuple(routes)
        self._static: dict[str, dict[str, Route]] = {}
        self._prefixed: dict[str, dict[str, Route]] = {}
        for route in self.routes:
            table = self._prefixed if route.path.endswith("{model}") else self._static
            key = route.prefix if table is self._prefixed else route.path
            table.setdefault(key, {})[route.method] = route
        # The answer for each fixed path and method, made once (most requests are these).
        self._exact = {
            (method, path): RouteMatch(route)
            for path, by_method in self._static.items()
            for method, route in by_method.items()
        }

    def match(self, method: str, path: str) -> RouteMatch:
        exact = self._exact.get((method, path))
        if exact is not None:
            return exact
        path = path.rstrip("/") or "/"
        by_method = self._static.get(path)
        model: str | None = None
        if by_method is None:
            head, sep, tail = path.rpartition("/")
            by_method = self._prefixed.get(head + sep) if tail else None
            model = unquote(tail) if by_method is not None else None
        if by_method is None:
            return RouteMatch(None)
        route = by_method.get(method.upper())
        if route is None and method.upper() == "HEAD":
            route = by_method.get("GET")
        if route is None:
            return RouteMatch(None, allowed=tuple(sorted(by_method)))
        return RouteMatch(route, model=model)


def dialect_of_path(path: str) -> Dialect:
    return "compat" if path.startswith(COMPAT_PREFIX) else "native"
