"""`--adapter SPEC`: a built-in adapter's name, or `MODULE:FUNCTION` imported and checked to be
something an adapter can be, before a mock is started; and what an adapter returns, checked at
each call. A spec or an adapter that is not one is a usage error (`AdapterError`), never a
client that does not conform: so is a `MODULE:FUNCTION` adapter that raises, where an adapter
returns the client's errors in its outcome. `with_call_timeout` bounds each call (`--call-timeout`):
a call that hangs is a failure of its case (`call_returned`, rule `client.call.timeout`)."""

from __future__ import annotations

import functools
import importlib
import inspect
import os
import sys
import threading
import traceback
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any

from contract.conformance.checks import (
    Adapter,
    CallTimedOut,
    ClientOutcome,
    Conversation,
    Unsupported,
)
from contract.validate.explain import clip
from mockserver.conformance.adapters import BUILTINS
from mockserver.scenarios.layer import SESSION_HEADER
from mockserver.sdks import MissingSDK, require_sdk

if TYPE_CHECKING:
    from contract.conformance.report import Report

ADAPTER_SHAPE = "a function (base_url, api_key, conversation) -> ClientOutcome"
DEFAULT_CALL_TIMEOUT_S = 120.0


class SkippedAfterHang(Unsupported):
    """A call of a scenario session in which an earlier call hung: not played, since the
    abandoned call may still send requests in it."""


class AdapterError(Exception):
    """An --adapter value that names no adapter, or an adapter that returned something other
    than a `ClientOutcome` (or raised); the message says why. Raised during a run, it carries
    the report of the calls graded before it (`report`, marked interrupted with the reason)."""

    report: Report | None = None


def resolve_adapter(spec: str) -> Adapter:
    """A built-in adapter by name, or `MODULE:FUNCTION` imported from the current environment
    or, failing that, the current folder.
    Raises `AdapterError` when `spec` names nothing importable, or something that cannot be an
    adapter (not callable, a class, an async function, a signature that cannot take the call).
    A `MODULE:FUNCTION` adapter is returned wrapped by `raising_is_misuse`."""
    shown = clip(spec, limit=100)
    if spec in BUILTINS:
        builtin, sdk = BUILTINS[spec]
        try:
            require_sdk(sdk, needed_by=f"--adapter {spec}")
        except MissingSDK as exc:
            raise AdapterError(str(exc)) from None
        return builtin
    module_name, sep, function_name = spec.partition(":")
    if not sep or not module_name or not function_name:
        raise AdapterError(f"--adapter {shown!r}: use MODULE:FUNCTION or one of "
                           f"{', '.join(BUILTINS)}")  # fmt: skip
    # import_module reads a leading dot as a relative import (a TypeError without a package)
    if not all(part.isidentifier() for part in module_name.split(".")):
        raise AdapterError(f"--adapter {shown!r}: {clip(module_name, limit=60)!r} is not a "
                           "module name (Python identifiers joined by dots)")  # fmt: skip
    module_shown = clip(module_name, limit=60)
    try:
        module = _import(module_name)
    except ImportError as exc:
        raise AdapterError(f"--adapter {shown!r}: cannot import {module_shown!r}: "
                           f"{clip(str(exc), limit=200)}") from None  # fmt: skip
    except SyntaxError as exc:  # the module's own source: say where, as Python would
        raise AdapterError(f"--adapter {shown!r}: cannot import {module_shown!r}: {exc.msg} "
                           f"({exc.filename}, line {exc.lineno})") from None  # fmt: skip
    if not hasattr(module, function_name):
        raise AdapterError(f"--adapter {shown!r}: {module_shown} has no function "
                           f"{clip(function_name, limit=60)!r}")  # fmt: skip
    candidate = getattr(module, function_name)
    problem = _not_an_adapter(candidate)
    if problem:
        raise AdapterError(f"--adapter {shown!r}: {module_shown}.{clip(function_name, limit=60)} "
                           f"is {problem}; an adapter is {ADAPTER_SHAPE}")  # fmt: skip
    adapter: Adapter = candidate
    return raising_is_misuse(adapter)


def _import(module_name: str) -> ModuleType:
    """`module_name` imported from the environment, else from the current folder (as uvicorn and
    pytest find `app:app` and `test_x` there): the console script's sys.path holds its own bin
    folder, not the folder it is run from. The folder is put last, so it shadows nothing
    installed, and only when the module's top package is found nowhere else; it stays on sys.path
    (the adapter may import its neighbours later) when the module is found there."""
    top = module_name.partition(".")[0]
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        here = os.getcwd()
        if exc.name != top or any(_same_folder(entry, here) for entry in sys.path):
            raise  # a module the adapter imports is missing, or the folder was looked in
        sys.path.append(here)
        importlib.invalidate_caches()
        try:
            return importlib.import_module(module_name)
        except ModuleNotFoundError as again:
            if again.name == top:  # not there either: the folder goes, the message says so
                sys.path.remove(here)
                raise ModuleNotFoundError(f"No module named {top!r} (installed, on PYTHONPATH or "
                                          "in the current folder)", name=top) from None  # fmt: skip
            raise


def _same_folder(entry: str, folder: str) -> bool:
    """Whether a sys.path entry is `folder` ('' is the current folder)."""
    try:
        return os.path.samefile(entry or os.curdir, folder)
    except OSError:  # a zip file, a folder that is gone
        return False


def raising_is_misuse(adapter: Adapter) -> Adapter:
    """`adapter`, but what it raises (other than `Unsupported`) is an `AdapterError` naming the
    exception, where it was raised and the call, with the exception as its cause: the user's
    adapter failed to answer, as one returning None does. (A built-in adapter is ours: its bug
    propagates as it is.)"""

    @functools.wraps(adapter)
    def guarded(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
        try:
            return adapter(base_url, api_key, conversation)
        except (Unsupported, KeyboardInterrupt):
            raise
        except BaseException as exc:  # the user's code, whatever it raised: no answer from it
            # SystemExit too: a sys.exit() in an adapter ended the run with its status (0: a pass
            # with no report) where any other exception is a usage error.
            raise AdapterError(f"the adapter {_raised(exc)} on {conversation.scenario}/"
                               f"{conversation.step}; an adapter returns the client's errors in "
                               "ClientOutcome.error") from exc  # fmt: skip

    return guarded


def with_call_timeout(
    adapter: Adapter,
    *,
    seconds: float = DEFAULT_CALL_TIMEOUT_S,
    watch: Callable[[str | None], None] | None = None,
) -> Adapter:
    """`adapter`, each call made in a worker thread and waited for at most `seconds`.

    A call past it returns a `ClientOutcome` whose error is a `CallTimedOut`: a failure of that
    case (`call_returned`, rule `client.call.timeout`; no other check grades its outcome);
    its thread is abandoned, a daemon that never holds the process, and the later calls of the
    same scenario session are skipped (`Unsupported`), as the abandoned call may still send
    requests in it. What a call raises (`Unsupported`, an `AdapterError`, a bug of a built-in
    adapter, a SystemExit) is raised here, with its traceback. `watch`, if given, is told the call
    that starts (`scenario/step`), and None once it has returned or been given up."""
    hung: dict[str, str] = {}  # session -> the call that hung in it

    @functools.wraps(adapter)
    def timed(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
        call = f"{conversation.scenario}/{conversation.step}"
        session = conversation.headers.get(SESSION_HEADER)
        if session is not None and session in hung:
            raise SkippedAfterHang(f"{hung[session]} did not return within {seconds:g} s "
                                   "(--call-timeout); the rest of the scenario is skipped")  # fmt: skip
        done = threading.Event()
        result: list[Any] = []

        def run() -> None:
            try:
                result.append(adapter(base_url, api_key, conversation))
            except BaseException as exc:  # all of it raised again in the caller's thread
                result.append(exc)
            finally:
                done.set()

        if watch is not None:
            watch(call)
        worker = threading.Thread(target=run, name=f"adapter call {call}", daemon=True)
        worker.start()
        returned = done.wait(seconds)  # a KeyboardInterrupt leaves the call watched: it ran
        if watch is not None:
            watch(None)
        if not returned:
            if session is not None:
                hung[session] = call
            return ClientOutcome(error=CallTimedOut(
                f"the call did not return within {seconds:g} s (--call-timeout): the client "
                "hung, neither answering nor raising; its thread was abandoned"))  # fmt: skip
        value = result[0]
        if isinstance(value, BaseException):
            raise value
        return value  # type: ignore[no-any-return]

    return timed


def _raised(exc: BaseException) -> str:
    """`raised Type: message (file, line N)` of an exception, on one line and cut, `file` where
    it was raised; `called sys.exit(CODE) (file, line N)` for a SystemExit."""
    kind = type(exc)
    name = kind.__qualname__
    if kind.__module__ != "builtins":
        name = f"{kind.__module__}.{name}"
    message = " ".join(str(exc).split())
    said = f"raised {name}: {clip(message, limit=200)}" if message else f"raised {name}"
    if isinstance(exc, SystemExit):
        code = "" if exc.code is None else clip(repr(exc.code), limit=100)
        said = f"called sys.exit({code})"
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:  # pragma: no cover - a raised exception has at least the adapter's frame
        return said
    return f"{said} ({clip(frames[-1].filename, limit=160)}, line {frames[-1].lineno})"


def _not_an_adapter(value: object) -> str:
    """What `value` is when it cannot be an adapter ("" when it may be one)."""
    if isinstance(value, type):
        return "a class"
    if inspect.ismodule(value):
        return "a module"
    if not callable(value):
        return f"a value of type {type(value).__name__}, not a function"
    if inspect.iscoroutinefunction(value) or inspect.iscoroutinefunction(
        getattr(value, "__call__", None)  # noqa: B004 - an instance whose __call__ is async
    ):
        return "an async function (wrap it in asyncio.run, as llama-api-client-async does)"
    try:
        signature = inspect.signature(value)
    except (TypeError, ValueError):  # some builtins have none: what they return is checked
        return ""
    try:
        signature.bind("base_url", "api_key", "conversation")
    except TypeError:
        return f"a callable with the signature {clip(str(signature), limit=100)}"
    return ""


def outcome_problem(outcome: object) -> str:
    """Why what an adapter returned is not a `ClientOutcome` ("" when it is one)."""
    if isinstance(outcome, ClientOutcome):
        return ""
    if inspect.iscoroutine(outcome):
        outcome.close()  # never awaited: closed, so no RuntimeWarning follows the message
        return "returned a coroutine (is it an async function?), not a ClientOutcome"
    if outcome is None:
        return "returned None, not a ClientOutcome (a missing return?)"
    return f"returned a value of type {type(outcome).__name__}, not a ClientOutcome"
