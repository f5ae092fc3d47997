"""The compat (OpenAI-shaped) stream: chunks with choices, an optional usage chunk, then [DONE]."""

from __future__ import annotations

from typing import Any

from contract.validate.response_rules import stop_reason_findings
from contract.validate.stream_state import StreamState, chunk_findings


class CompatStream(StreamState):
    """Every chunk has choices except the usage chunk, which comes last; then `data: [DONE]`."""

    def __init__(self) -> None:
        super().__init__()
        self.done_line: int | None = None
        self.usage_line: int | None = None
        self.usage_followed = False
        # choice index -> (line, finish_reason, position in that chunk's choices)
        self.finished: dict[int, tuple[int, Any, int]] = {}

    def skip(self, line: int) -> bool:
        if self.done_line is None:
            return False
        if self.done_line == line - 1:
            self.add(
                line,
                "stream.after_done",
                "",
                f"a record after 'data: [DONE]' (record {self.done_line}); "
                "[DONE] is the last record",
            )
        return True

    def done(self, line: int) -> None:
        self.done_line = line

    def chunk(self, line: int, chunk: dict[str, Any]) -> None:
        self.chunks += 1
        self.found.extend(chunk_findings(chunk, line, endpoint="compat"))
        self.check_id(line, chunk)
        choices, usage = chunk.get("choices"), chunk.get("usage")
        if not isinstance(choices, list):
            return
        if self.usage_line is not None and not self.usage_followed:
            self.usage_followed = True
            self.add(
                self.usage_line,
                "stream.usage.misplaced",
                "/usage",
                f"the usage chunk is followed by another chunk (record {line}); "
                "it must be the last chunk before [DONE]",
            )
        if isinstance(usage, dict):
            if choices:
                self.add(
                    line,
                    "stream.usage.misplaced",
                    "/choices",
                    f"the usage chunk carries {len(choices)} choice(s); it carries none "
                    "(choices: [])",
                )
            else:
                self.usage_line = line
        elif not choices:
            self.add(
                line,
                "field.length",
                "/choices",
                "a chunk without usage has no choices; every other chunk carries at least one",
            )
        for position, choice in enumerate(choices):
            if isinstance(choice, dict):
                self.choice(line, position, choice)

    def choice(self, line: int, position: int, choice: dict[str, Any]) -> None:
        index = choice.get("index")
        index = index if isinstance(index, int) else position
        delta = choice.get("delta")
        delta = delta if isinstance(delta, dict) else {}
        where = f"/choices/{position}"
        if index in self.finished and (delta.get("content") or delta.get("tool_calls")):
            self.add(
                line,
                "stream.order",
                f"{where}/delta",
                f"content for choice {index} after its finish_reason "
                f"(record {self.finished[index][0]}); finish_reason comes with the last delta",
            )
        calls = delta.get("tool_calls")
        for t, call in enumerate(calls if isinstance(calls, list) else []):
            if not isinstance(call, dict):
                continue
            function = call.get("function")
            function = function if isinstance(function, dict) else {}
            call_index = call.get("index")
            key = (index, call_index if isinstance(call_index, int) else t)
            self.tool_call_delta(
                line, key, call.get("id"), function.get("name"), function.get("arguments"),
                f"{where}/delta/tool_calls/{t}",
            )  # fmt: skip
        reason = choice.get("finish_reason")
        if reason is not None:
            if index in self.finished:
                self.add(
                    line,
                    "stream.order",
                    f"{where}/finish_reason",
                    f"a second finish_reason for choice {index} "
                    f"(the first in record {self.finished[index][0]})",
                )
            self.finished[index] = (line, reason, position)

    def end(self) -> None:
        if self.chunks == 0:
            self.add(max(self.last_line, 1), "stream.empty", "", "the stream has no chunks")
        elif not self.finished:
            self.add(
                self.last_line,
                "stream.order",
                "",
                "no chunk carried a finish_reason; the last content chunk of a choice sets it",
            )
        if self.done_line is None:
            self.add(
                self.last_line or 1,
                "stream.done.missing",
                "",
                "the stream did not end with 'data: [DONE]'",
            )
        self.check_tool_arguments()
        for index, (line, reason, position) in self.finished.items():
            calls = [call for key, call in self.calls.items() if key[0] == index]
            where: list[str | int] = ["choices", position, "finish_reason"]
            self.found.extend(v.at_line(line) for v in stop_reason_findings(reason, calls, where))
