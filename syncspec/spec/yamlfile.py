"""YAML loading that remembers where every value came from (for error lines)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import Problem, SpecError

PathKey = tuple  # a JSON path as a tuple of keys and indexes


@dataclass(frozen=True)
class Located:
    """A parsed YAML document plus the (line, column) of each JSON path (1-based)."""

    data: Any
    marks: dict[PathKey, tuple[int, int]]
    key_marks: dict[PathKey, tuple[int, int]]
    file: str

    def where(self, path: PathKey, key: bool = False) -> tuple[int | None, int | None]:
        """Line and column of ``path``, or of its nearest located ancestor."""
        table = self.key_marks if key else self.marks
        p = tuple(path)
        while p:
            if p in table:
                return table[p]
            if p in self.marks:
                return self.marks[p]
            p = p[:-1]
        return self.marks.get((), (1, 1))

    def problem(self, path: PathKey, message: str, hint: str | None = None, key: bool = False) -> Problem:
        line, col = self.where(path, key=key)
        return Problem(message, file=self.file, line=line, column=col, json_path=json_path(path), hint=hint)


def json_path(path: PathKey) -> str:
    """``('target', 'key', 1)`` -> ``$.target.key[1]``."""
    out = "$"
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and part.isidentifier():
            out += f".{part}"
        else:
            out += f"[{part!r}]"
    return out


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class BoundedLoader(yaml.SafeLoader):
    """A SafeLoader that remembers where the first alias is, for ``check_tree``'s alias-bomb message."""

    first_alias: yaml.Mark | None = None

    def compose_node(self, parent, index):
        if self.first_alias is None and self.check_event(yaml.AliasEvent):
            self.first_alias = self.peek_event().start_mark
        return super().compose_node(parent, index)


class Refused(Exception):
    """Raised by ``check_tree``/``make_loader`` with the Problem to report (converted by the callers)."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


def make_loader(text: str, file: str, where: str = "", cls: type[BoundedLoader] | None = None) -> BoundedLoader:
    """A loader for ``text``; a control character (NUL...) is a located Refused problem, not a
    ReaderError traceback (PyYAML checks the characters before anything else)."""
    try:
        return (cls or BoundedLoader)(text)
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        char = "NUL (\\x00)" if code == 0 else f"{chr(code)!r} (U+{code:04X})"
        raise Refused(Problem(
            f"invalid YAML{where}: character {char} is not allowed", file=file, line=line, column=col,
            hint="remove the control character (YAML allows printable characters, tabs and newlines)")) from None


def check_tree(node: yaml.Node, loader: BoundedLoader, file: str, where: str = "") -> None:
    """Bound a composed document before anything walks or constructs it (Refused if not):

    nesting deeper than limits.MAX_DEPTH; aliases that expand it by more than limits.MAX_ALIAS_VALUES
    values (a billion-laughs document composes to a few nodes but walks and hashes to 10^9); recursive
    aliases; integers longer than Python converts (a ValueError deep in the constructor otherwise).
    Linear in the number of distinct nodes: expanded sizes are memoized per node.
    """
    from ..limits import MAX_ALIAS_VALUES, MAX_DEPTH, MAX_INT_DIGITS

    sizes: dict[int, tuple[int, int]] = {}     # id(node) -> (expanded size, height)
    busy: set[int] = set()

    def fail(at: yaml.Node | yaml.Mark, message: str, hint: str) -> Refused:
        mark = at.start_mark if isinstance(at, yaml.Node) else at
        return Refused(Problem(f"{message}{where}", file=file, line=mark.line + 1, column=mark.column + 1,
                                hint=hint))

    def visit(n: yaml.Node, depth: int) -> tuple[int, int]:
        key = id(n)
        if key in busy:
            raise fail(n, "recursive YAML alias (a value contains itself)", "remove the alias to its own anchor")
        if depth > MAX_DEPTH:
            raise fail(n, f"YAML nested deeper than {MAX_DEPTH} levels", "flatten the document")
        known = sizes.get(key)
        if known is None:
            if isinstance(n, yaml.ScalarNode):
                if n.tag == "tag:yaml.org,2002:int" and len(n.value) > MAX_INT_DIGITS:
                    raise fail(n, f"integer with {len(n.value)} digits is too large",
                               "quote it to keep it as text, or shorten it")
                known = (1, 0)
            else:
                busy.add(key)
                children = ([c for pair in n.value for c in pair] if isinstance(n, yaml.MappingNode)
                            else list(n.value))
                size, height = 1, 0
                for child in children:
                    child_size, child_height = visit(child, depth + 1)
                    size += child_size
                    height = max(height, child_height + 1)
                busy.discard(key)
                known = (size, height)
            sizes[key] = known
        elif depth + known[1] > MAX_DEPTH:
            raise fail(n, f"YAML nested deeper than {MAX_DEPTH} levels (through an alias)", "flatten the document")
        return known

    total, _ = visit(node, 0)
    if total > len(sizes) + MAX_ALIAS_VALUES:
        raise fail(loader.first_alias or node, f"YAML aliases expand the document to {total:,} values, more than "
                   f"{MAX_ALIAS_VALUES:,} beyond its own {len(sizes):,} (an alias bomb?)",
                   "write the values out instead of repeating aliases of aliases")


def load_yaml(text: str, file: str) -> Located:
    """Parse one YAML document, rejecting duplicate keys, keeping line marks; bounded (``check_tree``)."""
    from ..limits import MAX_CONFIG_BYTES

    if len(text) > MAX_CONFIG_BYTES:
        raise SpecError(problems=[Problem(f"file is {len(text):,} characters, more than the {MAX_CONFIG_BYTES:,} "
                                          "a spec or workspace file may have", file=file, line=1,
                                          hint="split it into several specs")])
    try:
        loader = make_loader(text, file)
    except Refused as exc:
        raise SpecError(problems=[exc.problem]) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return Located(None, {(): (1, 1)}, {}, file)
        check_tree(node, loader, file)
        marks: dict[PathKey, tuple[int, int]] = {}
        key_marks: dict[PathKey, tuple[int, int]] = {}
        problems: list[Problem] = []
        _walk(node, (), marks, key_marks, problems, file, loader)
        if problems:
            raise SpecError(problems=problems)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        raise SpecError(problems=[_yaml_problem(exc, text, file)]) from None
    except yaml.YAMLError as exc:
        raise SpecError(problems=[Problem(f"invalid YAML: {exc}", file=file, hint="fix the YAML syntax")]) from None
    except Refused as exc:
        raise SpecError(problems=[exc.problem]) from None
    except RecursionError:
        mark = loader.get_mark()
        raise SpecError(problems=[Problem("YAML nested too deeply to parse", file=file, line=mark.line + 1,
                                          column=mark.column + 1, hint="flatten the document")]) from None
    finally:
        loader.dispose()
    return Located(data, marks, key_marks, file)


def _yaml_problem(exc: yaml.MarkedYAMLError, text: str, file: str) -> Problem:
    """Locate a YAML syntax error where a person has to fix it."""
    problem, context, ctx = exc.problem or "", exc.context, exc.context_mark
    mark = exc.problem_mark or ctx
    if ctx is not None and ("end of stream" in problem or "<stream end>" in problem):
        mark = ctx  # an unclosed quote or bracket fails at the end of the file; point at its opening
    content = text.rstrip()
    line = col = None
    if mark is not None:
        line, col = mark.line + 1, mark.column + 1
        if mark.index >= len(content) and content:
            # still past the last line with text (e.g. after an unclosed '['): point at its last character
            line, col = content.count("\n") + 1, len(content) - content.rfind("\n") - 1
    what = problem or str(exc)
    if context:
        if ctx is not None and ctx.index < len(content) and ctx.line + 1 != line:
            context += f" started on line {ctx.line + 1}"
        what = f"{context}: {what}" if problem else context
    hint = ("write one spec per file: move the document after '---' into a file of its own"
            if "single document" in (context or "") else
            "fix the YAML syntax (indentation, quotes, a ':' after each key)")
    return Problem(f"invalid YAML: {what}", file=file, line=line, column=col, hint=hint)


def _walk(node, path, marks, key_marks, problems, file, loader) -> None:
    marks[path] = _mark(node)
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, tuple[int, int]] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:null" and key_node.value:
                key_node.tag = "tag:yaml.org,2002:str"   # `null: false` (a column option) is the key "null"
            # the constructed key (1, True, 'on'), so marks match the paths jsonschema reports
            key = loader.construct_object(key_node) if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            if key in seen:
                line, col = _mark(key_node)
                problems.append(Problem(
                    f"duplicate key {key!r} (first defined on line {seen[key][0]})",
                    file=file, line=line, column=col, json_path=json_path(path + (key,)),
                    hint="remove one of the two; YAML keeps only the last silently"))
                continue
            seen[key] = _mark(key_node)
            key_marks[path + (key,)] = _mark(key_node)
            _walk(value_node, path + (key,), marks, key_marks, problems, file, loader)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, path + (i,), marks, key_marks, problems, file, loader)


def read_text(path: Path, display: str) -> str:
    """Read a config/spec file as UTF-8 (BOM tolerated) with a located error."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SpecError(problems=[Problem(f"cannot read file: {exc.strerror}", file=display)]) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise SpecError(problems=[Problem(
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
            file=display, line=line, hint="save the file as UTF-8")]) from None
