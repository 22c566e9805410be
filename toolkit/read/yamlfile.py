"""Reading YAML mappings strictly: line numbers per key, clear errors, did-you-mean for unknown keys."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from toolkit.errors import BriefkitError


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, but dates stay text: "2025-09-31" would otherwise raise a bare ValueError while
    being built, and `read_date` checks them with a line number and a clear message."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_date(value: Any, path: Path, line: int | None, key: str = "date") -> str:
    """A date as ISO text (YYYY-MM-DD), checked to be a real day; "" for none."""
    if value is None or value == "":
        return ""
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            pass
    raise BriefkitError(f"`{key}: {text}` is not a date", path, line, "write a real day as YYYY-MM-DD, e.g. 2025-08-12")


# A packet or front matter is a few dozen values: budgets far above that, checked on the node tree before any
# value is built, so aliases cannot multiply it (a "billion laughs") and nesting cannot exhaust the stack.
MAX_YAML_VALUES = 100_000  # counting each alias as often as it is used
MAX_YAML_DEPTH = 20


def _check_shape(root: yaml.Node, path: Path, first_line: int) -> None:
    """Refuse a node tree too deep, or too large once its aliases are expanded (linear in the nodes)."""
    expanded: dict[int, int] = {}
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, children_done = stack.pop()
        line = node.start_mark.line + first_line
        if depth > MAX_YAML_DEPTH:
            raise BriefkitError(f"YAML nested more than {MAX_YAML_DEPTH} levels deep", path, line)
        children = [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else node.value
        children = children if isinstance(node, yaml.CollectionNode) else []
        if children_done:
            size = 1 + sum(expanded[id(child)] for child in children)
            if size > MAX_YAML_VALUES:
                raise BriefkitError(
                    f"YAML with more than {MAX_YAML_VALUES:,} values (an alias counts as often as it is used)",
                    path,
                    line,
                )
            expanded[id(node)] = size
        elif id(node) not in expanded:
            expanded[id(node)] = MAX_YAML_VALUES + 1  # in progress: an alias back to it is a loop, over budget
            stack.append((node, depth, True))
            stack.extend((child, depth + 1, False) for child in children if id(child) not in expanded)


def parse_mapping(text: str, path: Path, first_line: int = 1) -> tuple[dict[str, Any], dict[str, int]]:
    """Parse YAML text that must be a mapping; return its values and the line of each key."""
    loader = _Loader(text)  # not libyaml's: its messages differ, and it is not on every machine
    try:  # one parse: the node tree for line numbers, then the values constructed from it
        node = loader.get_single_node()
        if node is not None:
            _check_shape(node, path, first_line)
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + first_line if mark is not None else first_line
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise BriefkitError(f"malformed YAML: {problem}", path, line) from None
    except RecursionError:  # the parser recurses per nesting level, before the tree can be checked
        raise BriefkitError(f"YAML nested more than {MAX_YAML_DEPTH} levels deep", path, first_line) from None
    finally:
        loader.dispose()
    if data is None:
        data, node = {}, None
    if not isinstance(data, dict):
        raise BriefkitError("expected a YAML mapping of `key: value` lines", path, first_line)
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            key, line = str(key_node.value), key_node.start_mark.line + first_line
            if key in lines:  # PyYAML would silently keep the last one
                raise BriefkitError(f"key `{key}` is given twice (first on line {lines[key]})", path, line)
            lines[key] = line
    return {str(k): v for k, v in data.items()}, lines


def unknown_key_error(key: str, known: list[str], path: Path, line: int | None) -> BriefkitError:
    close = difflib.get_close_matches(key, known, n=1)
    hint = f"did you mean `{close[0]}`?" if close else "known keys: " + ", ".join(sorted(known))
    return BriefkitError(f"unknown key `{key}`", path, line, hint)


MAX_INPUT_BYTES = 20_000_000
# Characters no document may hold (XML refuses them): C0 controls but tab, line feed, carriage return, and
# DEL. Form feeds and vertical tabs, which text copied out of PDFs carries, read as spaces instead.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
PAGE_BREAKS = str.maketrans({"\f": " ", "\v": " "})
# In a parsed value a YAML escape (`"\x01"`, `"\f"`) can make any of them, page breaks too
ESCAPED_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def escaped_control_error(value: str, key: str, path: Path, line: int | None) -> BriefkitError | None:
    """The error for a control character a YAML escape put into the text `value` of `key`; None if none."""
    found = ESCAPED_CONTROL.search(value)
    if found is None:
        return None
    return BriefkitError(
        f"control character U+{ord(found.group()):04X} in `{key}` (written as a YAML escape)",
        path,
        line,
        "delete it: no document may hold one",
    )


UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def read_text(path: Path, limit: int = MAX_INPUT_BYTES, utf16: bool = False) -> str:
    """Read a UTF-8 text file of at most `limit` bytes, turning the usual failures into user errors. With
    `utf16`, a file that starts with a UTF-16 byte order mark is read as UTF-16 (XML tools write such files)."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # /dev/zero says its size is 0 and never ends
            raise BriefkitError("not a regular file (a device, a pipe or a folder); briefkit reads only files", path)
        size = info.st_size
        if size > limit:
            raise BriefkitError(f"file is {size / 1e6:.1f} MB, over the {limit / 1e6:g} MB limit", path)
        data = path.read_bytes()
    except FileNotFoundError:
        raise BriefkitError("file not found", path) from None
    except IsADirectoryError:
        raise BriefkitError("is a directory, expected a file", path) from None
    except OSError as exc:
        raise BriefkitError(f"cannot read file: {exc.strerror}", path) from None
    try:
        text = data.decode("utf-16") if utf16 and data.startswith(UTF16_BOMS) else data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BriefkitError("not valid UTF-8 text", path, line, "save the file as UTF-8") from None
    if not text.strip():
        raise BriefkitError("file is empty", path)
    text = text.translate(PAGE_BREAKS)
    control = CONTROL_CHARACTER.search(text)
    if control:
        raise BriefkitError(
            f"control character U+{ord(control.group()):04X} in the text",
            path,
            text.count("\n", 0, control.start()) + 1,
            "delete it; text pasted from PDFs or other programs often carries them",
        )
    return text
