"""Reading scenario files as plain data, with the line of every field for error messages.

YAML goes through PyYAML's safe loader only (no tag constructs an object). JSON files are parsed
with the `json` module and their lines mapped by composing the same text as YAML (JSON is YAML
flow syntax once tabs, which JSON allows between tokens, are turned into spaces).
"""

from __future__ import annotations

import datetime
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

PathParts = tuple[str | int, ...]
MAX_FILE_BYTES = 2 * 1024 * 1024
# Aliases let a small YAML text describe a huge tree; refuse trees past this many nodes. The largest
# built-in scenario has 196; checking 20,000 nodes (composing, schema) costs about half a second.
MAX_NODES = 20_000
# ... and past this many bytes of text, counted as if every alias were written out: 0.16 MB of
# YAML repeating one 100 KB anchor 20,000 times made each answer 2,000 MB.
MAX_EXPANDED_BYTES = 4 * 1024 * 1024
# Error messages name what was wrong, never echo a whole input: longer ones are cut.
MAX_MESSAGE_CHARS = 500


def field_name(parts: PathParts) -> str:
    """`("steps", 0, "respond", "text")` -> `steps[0].respond.text` (the root is `(top level)`)."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


class ScenarioError(ValueError):
    """A scenario that cannot be used; the message names the file, the line and the field."""

    def __init__(
        self, message: str, *, file: str = "", line: int | None = None, field: PathParts = ()
    ) -> None:
        if len(message) > MAX_MESSAGE_CHARS:
            message = message[:MAX_MESSAGE_CHARS] + f"... ({len(message)} characters, cut)"
        self.message = message
        self.file = file
        self.line = line
        self.parts = field
        self.field = field_name(field) if field else ""
        where = file or ("<scenario>" if line is not None or field else "")
        if line is not None:
            where += f":{line}"
        text = f"{self.field}: {message}" if self.field else message
        super().__init__(f"{where}: {text}" if where else text)


@dataclass(slots=True)
class LineMap:
    """Line (1-based) of each field: of its key in a mapping, of the item in a list."""

    lines: dict[PathParts, int]

    def within(self, prefix: PathParts) -> LineMap:
        """The lines of the part of the document at `prefix`, keyed relative to it."""
        size = len(prefix)
        return LineMap({path[size:]: line for path, line in self.lines.items()
                        if path[:size] == prefix})

    def line(self, parts: PathParts) -> int | None:
        """The line of `parts`, or of its nearest enclosing field that has one."""
        for end in range(len(parts), -1, -1):
            found = self.lines.get(tuple(parts[:end]))
            if found is not None:
                return found
        return None


def _walk(node: yaml.Node, file: str) -> LineMap:
    lines: dict[PathParts, int] = {(): node.start_mark.line + 1}
    stack: list[tuple[yaml.Node, PathParts]] = [(node, ())]
    visited = expanded = 0
    while stack:
        current, parts = stack.pop()
        visited += 1
        if visited > MAX_NODES:
            raise ScenarioError(
                f"the document expands to more than {MAX_NODES} nodes (aliases?)", file=file, line=1
            )
        if isinstance(current, yaml.ScalarNode):
            expanded += len(current.value)
            if expanded > MAX_EXPANDED_BYTES:
                raise ScenarioError(
                    f"the document expands to more than {MAX_EXPANDED_BYTES} characters of text "
                    "(aliases?)", file=file, line=current.start_mark.line + 1, field=parts,
                )
        elif isinstance(current, yaml.MappingNode):
            seen: dict[object, int] = {}
            for key_node, value_node in current.value:
                key: object = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
                expanded += len(key) if isinstance(key, str) else 0
                line = key_node.start_mark.line + 1
                if key in seen and key is not None:
                    raise ScenarioError(
                        f"duplicate key {key!r} (first given on line {seen[key]})",
                        file=file, line=line, field=(*parts, str(key)),
                    )
                if key is not None:
                    seen[key] = line
                    lines[(*parts, str(key))] = line
                    stack.append((value_node, (*parts, str(key))))
        elif isinstance(current, yaml.SequenceNode):
            for index, item in enumerate(current.value):
                lines[(*parts, index)] = item.start_mark.line + 1
                stack.append((item, (*parts, index)))
    return LineMap(lines)


def count_nodes(data: Any, file: str) -> None:
    """Raise `ScenarioError` if parsed `data` has more than `MAX_NODES` nodes."""
    stack: list[Any] = [data]
    counted = 0
    while stack:
        current = stack.pop()
        counted += 1
        if counted > MAX_NODES:
            raise ScenarioError(f"the document has more than {MAX_NODES} nodes", file=file, line=1)
        if isinstance(current, dict):
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)


def _yaml_error(exc: yaml.YAMLError, file: str) -> ScenarioError:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    line = mark.line + 1 if mark is not None else None
    return ScenarioError(f"not valid YAML: {problem}", file=file, line=line)


# libyaml's loader (when PyYAML was built with it) composes ten times faster than the pure Python
# one: 0.4 s instead of 4 s of CPU for 200,000 nodes. Both are safe loaders.
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _compose(text: str, file: str) -> tuple[yaml.Node | None, Any]:
    try:
        loader = _SafeLoader(text)  # refuses non-printable characters right here
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, file) from None
    try:
        return loader.get_single_node(), loader
    except yaml.YAMLError as exc:
        loader.dispose()
        raise _yaml_error(exc, file) from None
    except RecursionError:
        loader.dispose()
        raise ScenarioError("the document nests too deeply", file=file, line=1) from None


def _check_plain(value: Any, lines: LineMap, file: str) -> None:
    """Refuse YAML values that JSON cannot hold: dates, binary, sets, non-string keys, NaN."""
    stack: list[tuple[Any, PathParts]] = [(value, ())]
    while stack:
        current, parts = stack.pop()
        problem = None
        if isinstance(current, dict):
            for key, item in current.items():
                if not isinstance(key, str):
                    problem = f"the key {key!r} is not a string; quote it"
                    break
                if not _is_utf8(key):
                    problem = "a key holds a lone UTF-16 surrogate, not UTF-8 text"
                    break
                stack.append((item, (*parts, key)))
        elif isinstance(current, list):
            stack.extend((item, (*parts, index)) for index, item in enumerate(current))
        elif isinstance(current, datetime.date):
            problem = f"YAML read {current.isoformat()} as a date; quote it to give text"
        elif isinstance(current, str) and not _is_utf8(current):
            problem = "the text holds a lone UTF-16 surrogate (\\ud800-\\udfff), not UTF-8 text"
        elif isinstance(current, float) and not math.isfinite(current):
            problem = "NaN and infinite numbers are not allowed"
        elif not (current is None or isinstance(current, str | int | float | bool)):
            problem = f"a YAML {type(current).__name__} is not allowed here; give JSON values"
        if problem is not None:
            raise ScenarioError(problem, file=file, line=lines.line(parts), field=parts)


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_EMPTY = "the file is empty; a scenario needs a name and steps"


def read_document(text: str, *, file: str, json_syntax: bool = False) -> tuple[Any, LineMap]:
    """Parse scenario text (YAML, or JSON when `json_syntax`) into data and its line map."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise ScenarioError(f"the file is larger than {MAX_FILE_BYTES} bytes", file=file)
    data: Any = None
    if json_syntax:
        if not text.strip():  # as for YAML: json.loads would say "Expecting value (column 1)"
            raise ScenarioError(_EMPTY, file=file, line=1)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ScenarioError(f"not valid JSON: {exc.msg} (column {exc.colno})", file=file,
                                line=exc.lineno) from None
        except RecursionError:
            raise ScenarioError("the document nests too deeply", file=file, line=1) from None
        except ValueError as exc:  # an integer past Python's digit limit
            raise ScenarioError(f"not valid JSON: {exc}", file=file) from None
        count_nodes(data, file)  # before composing the text as YAML, which costs far more
        text = text.replace("\t", " ")
    try:
        node, loader = _compose(text, file)
    except ScenarioError:
        if not json_syntax:
            raise
        return data, LineMap({(): 1})  # valid JSON that PyYAML cannot read: lines unknown
    try:
        if node is None:
            raise ScenarioError(_EMPTY, file=file, line=1)
        lines = _walk(node, file)
        if not json_syntax:
            try:
                data = loader.construct_document(node)
            except yaml.YAMLError as exc:
                raise _yaml_error(exc, file) from None
            except RecursionError:
                raise ScenarioError("the document nests too deeply", file=file, line=1) from None
            except ValueError as exc:  # an integer past Python's digit limit
                raise ScenarioError(f"a value cannot be read: {exc}", file=file) from None
    finally:
        loader.dispose()
    _check_plain(data, lines, file)
    return data, lines


def read_file(path: Path) -> tuple[Any, LineMap]:
    """Read a scenario file (`.json` as JSON, anything else as YAML)."""
    file = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ScenarioError(f"cannot read the file: {exc.strerror}", file=file) from None
    if size > MAX_FILE_BYTES:
        raise ScenarioError(f"the file is {size} bytes; at most {MAX_FILE_BYTES}", file=file)
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"the file is not UTF-8 (byte {exc.start})", file=file) from None
    except OSError as exc:
        raise ScenarioError(f"cannot read the file: {exc.strerror}", file=file) from None
    return read_document(text.removeprefix("\ufeff"), file=file,
                         json_syntax=path.suffix.lower() == ".json")


def iter_scenario_files(folder: Path) -> Iterator[Path]:
    """Scenario files directly in `folder` (`.yaml`, `.yml`, `.json`), in name order."""
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.suffix.lower() in (".yaml", ".yml", ".json"):
            yield path
