"""docs/pytest.md's table "What your `except` clauses should catch", checked row by row.

The table is the one source: each row is injected with its own `llama_fault` marker through
`llama_mock` (a live server, the real network path) and called with the four SDK clients
(`llama_api_client` and `openai` on `/compat/v1`, sync and async). The exception must be exactly
the class the table names, raised where it says (`create()` or the loop over the stream), after as
many requests as it says; an "answered" row must get its answer. A row the SDKs no longer agree
with fails here, so the table cannot drift from what the SDKs do.
"""

from __future__ import annotations

import asyncio
import importlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import llama_api_client
import openai
import pytest

from contract.scenarios.fault_kinds import FAULT_KINDS

DOC = Path(__file__).resolve().parents[2] / "docs" / "pytest.md"
HEADING = "## What your `except` clauses should catch"
COLUMNS = ["`llama_fault(...)`", "call", "`llama_api_client`", "`openai` (compat)", "raised",
           "requests"]  # fmt: skip
SDKS = {"llama_api_client": llama_api_client, "openai": openai}
MODEL = "Llama-3.3-8B-Instruct"
MESSAGES = [{"role": "user", "content": "Hi"}]
# The statuses the SDKs map to a class of their own, and faults no client sees fail.
STATUSES = {400, 401, 403, 404, 409, 422, 429, 500, 503}
NOT_FAILURES = {"slow_stream", "tool_call_as_text"}

_FAULT_CELL = re.compile(r'`"(?P<fault>[^"`]+)"(?:, times=(?P<times>[0-9]+))?`')
_CLASS_CELL = re.compile(r"`(?P<name>[A-Za-z_][\w.]*)`")


@dataclass(frozen=True)
class Row:
    line: int
    fault: str
    times: int | None
    stream: bool
    options: dict[str, Any]
    raises: dict[str, type[BaseException] | None]  # None: answered
    raised: str  # "create()", "iterating", or "" when answered
    requests: int

    @property
    def marker(self) -> pytest.MarkDecorator:
        if self.times is None:
            return pytest.mark.llama_fault(self.fault)
        return pytest.mark.llama_fault(self.fault, times=self.times)

    @property
    def id(self) -> str:
        times = "" if self.times is None else f" times={self.times}"
        call = ",".join(["stream"] * self.stream + [f"{k}={v}" for k, v in self.options.items()])
        return re.sub(r"[^A-Za-z0-9_.=,]+", "-", f"{self.fault}{times} {call}")


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _exception(cell: str, sdk: str, where: str) -> type[BaseException] | None:
    if cell == "answered":
        return None
    match = _CLASS_CELL.fullmatch(cell)
    assert match, f"{where}: {cell!r} is neither `Class`, `module.Class` nor answered"
    module_name, _, name = match["name"].rpartition(".")
    module = importlib.import_module(module_name) if module_name else SDKS[sdk]
    found = getattr(module, name, None)
    assert isinstance(found, type), f"{where}: {module.__name__} has no class {name}"
    assert issubclass(found, BaseException), f"{where}: {cell} is no exception class"
    return found


def _options(cell: str, where: str) -> tuple[bool, dict[str, Any]]:
    assert re.fullmatch(r"`[^`]+`", cell), f"{where}: call {cell!r} is not code"
    stream, options = False, {}
    for part in cell.strip("`").split(", "):
        key, _, value = part.partition("=")
        if part == "stream":
            stream = True
        elif key == "max_retries":
            options[key] = int(value)
        elif key == "timeout":
            options[key] = float(value)
        else:
            raise AssertionError(f"{where}: unknown call keyword {part!r}")
    assert "max_retries" in options, f"{where}: every row states max_retries"
    return stream, options


def read_table(path: Path = DOC) -> list[Row]:
    """The rows of the table under HEADING in docs/pytest.md."""
    lines = path.read_text(encoding="utf-8").splitlines()
    assert HEADING in lines, f"{path} has no section {HEADING!r}"
    start = lines.index(HEADING) + 1
    while start < len(lines) and not lines[start].startswith("|"):
        start += 1
    assert start < len(lines), f"{path}: no table under {HEADING!r}"
    assert _cells(lines[start]) == COLUMNS, f"{path}:{start + 1}: the columns changed"
    rows = []
    number = start + 2  # after the header and the |---| line
    while number < len(lines) and lines[number].startswith("|"):
        where = f"{path.name}:{number + 1}"
        cells = _cells(lines[number])
        assert len(cells) == len(COLUMNS), f"{where}: {len(cells)} cells, not {len(COLUMNS)}"
        fault, call, native, compat, raised, requests = cells
        marker = _FAULT_CELL.fullmatch(fault)
        assert marker, f'{where}: {fault!r} is not `"FAULT"` or `"FAULT", times=N`'
        stream, options = _options(call, where)
        raises = {"llama_api_client": _exception(native, "llama_api_client", where),
                  "openai": _exception(compat, "openai", where)}  # fmt: skip
        answered = [sdk for sdk, cls in raises.items() if cls is None]
        assert len(answered) in (0, 2), f"{where}: one SDK answers, one raises: split the row"
        assert raised in (("",) if answered else ("`create()`", "iterating")), (
            f"{where}: raised {raised!r}"
        )
        count = re.match(r"[0-9]+", requests)
        assert count, f"{where}: requests {requests!r} does not start with a number"
        rows.append(Row(number + 1, marker["fault"],
                        None if marker["times"] is None else int(marker["times"]), stream,
                        options, raises, raised.strip("`"), int(count[0])))  # fmt: skip
        number += 1
    return rows


ROWS = read_table()


def _client(llama_mock: Any, sdk: str, mode: str, options: dict[str, Any]) -> Any:
    helpers = {("llama_api_client", "sync"): llama_mock.client,
               ("llama_api_client", "async"): llama_mock.async_client,
               ("openai", "sync"): llama_mock.openai_client,
               ("openai", "async"): llama_mock.async_openai_client}  # fmt: skip
    return helpers[sdk, mode](**options)


def _call_sync(client: Any, stream: bool, reached: list[str]) -> list[Any]:
    with client:
        answer = client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=stream)
        reached.append("iterating")
        return list(answer) if stream else [answer]


async def _call_async(client: Any, stream: bool, reached: list[str]) -> list[Any]:
    async with client:
        answer = await client.chat.completions.create(model=MODEL, messages=MESSAGES,
                                                      stream=stream)  # fmt: skip
        reached.append("iterating")
        return [event async for event in answer] if stream else [answer]


def _call(client: Any, mode: str, stream: bool, reached: list[str]) -> list[Any]:
    if mode == "sync":
        return _call_sync(client, stream, reached)
    return asyncio.run(_call_async(client, stream, reached))


def _assert_answered(sdk: str, stream: bool, answer: list[Any]) -> None:
    if sdk == "llama_api_client" and stream:
        assert [e.event.event_type for e in answer][-2:] == ["complete", "metrics"]
    elif sdk == "llama_api_client":
        assert answer[0].completion_message.content.text
    elif stream:
        assert [c.choices[0].finish_reason for c in answer if c.choices][-1] == "stop"
    else:
        assert answer[0].choices[0].message.content


@pytest.mark.parametrize(
    ("sdk", "mode"), [(sdk, mode) for sdk in SDKS for mode in ("sync", "async")]
)
@pytest.mark.parametrize("row", [pytest.param(row, marks=row.marker, id=row.id) for row in ROWS])
def test_the_sdk_raises_what_the_table_says(llama_mock, row: Row, sdk: str, mode: str) -> None:
    expected = row.raises[sdk]
    client = _client(llama_mock, sdk, mode, row.options)
    reached: list[str] = ["create()"]
    if expected is None:
        _assert_answered(sdk, row.stream, _call(client, mode, row.stream, reached))
    else:
        with pytest.raises(expected) as caught:
            _call(client, mode, row.stream, reached)
        assert type(caught.value) is expected, (
            f"docs/pytest.md:{row.line} names {expected.__module__}.{expected.__qualname__}; "
            f"{sdk} ({mode}) raised {type(caught.value).__module__}."
            f"{type(caught.value).__qualname__}: {caught.value}"
        )
        assert reached[-1] == row.raised, f"docs/pytest.md:{row.line}: raised at {reached[-1]}"
    chats = [r for r in llama_mock.requests if r.path.endswith("/chat/completions")]
    assert len(chats) == row.requests, (
        f"docs/pytest.md:{row.line}: the mock got {[r.status for r in chats]}"
    )
    assert chats[0].fault, "the fault was not applied to the first request"


def test_the_table_covers_every_fault_a_client_sees_fail() -> None:
    faults = {row.fault.split(";")[0] for row in ROWS}
    assert faults == set(FAULT_KINDS) - NOT_FAILURES
    statuses = {int(m[1]) for row in ROWS if (m := re.search(r"status=([0-9]+)", row.fault))
                if row.fault.startswith("http_error")}  # fmt: skip
    assert statuses == STATUSES
    ids = [row.id for row in ROWS]
    assert len(ids) == len(set(ids)), "two rows inject the same fault with the same call"


def test_the_table_reader_refuses_a_row_it_cannot_check(tmp_path: Path) -> None:
    table = DOC.read_text(encoding="utf-8")
    good = '| `"http_error; status=400"` | `max_retries=2` | `BadRequestError` |'
    assert good in table
    for broken, why in [
        ('| `"http_error; status=400"` | `max_retries=2` | `BadRequestErorr` |', "has no class"),
        ('| `"http_error; status=400"` | `retries=2` | `BadRequestError` |', "unknown call"),
        ("| `http_error; status=400` | `max_retries=2` | `BadRequestError` |", "is not"),
    ]:
        doc = tmp_path / "pytest.md"
        doc.write_text(table.replace(good, broken, 1), encoding="utf-8")
        with pytest.raises(AssertionError, match=why):
            read_table(doc)
