"""A YAML loader for sources whose value errors (an impossible date, ``!!int abc``) are located YAML errors.

PyYAML builds a date from ``2020-30-01`` with ``datetime.date(...)``, which raises a bare
ValueError that names no file or line; here each node's construction failure becomes a
ConstructorError at the node's own mark, which the callers already report as ``file:line:col``.
"""

from __future__ import annotations

from typing import Any

import yaml

from ..spec.yamlfile import BoundedLoader
from yaml.constructor import ConstructorError

# what PyYAML's constructors raise for a scalar they cannot build (bool_values[...] -> KeyError, ...)
_VALUE_ERRORS = (ValueError, KeyError, AttributeError, TypeError, OverflowError, IndexError)


class SourceLoader(BoundedLoader):
    """SafeLoader whose value errors carry the mark of the value that caused them."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except _VALUE_ERRORS as exc:
            text = node.value if isinstance(node, yaml.ScalarNode) else node.tag
            reason = f"missing key {exc}" if isinstance(exc, KeyError) else str(exc)
            raise ConstructorError(None, None, f"value {text!r} cannot be read as {_tag(node)}: {reason}",
                                   node.start_mark) from None


def _tag(node: yaml.Node) -> str:
    tag = node.tag or ""
    short = tag.rsplit(":", 1)[-1] if tag.startswith("tag:yaml.org,2002:") else tag
    return {"timestamp": "a date", "int": "an integer", "float": "a number", "bool": "a boolean"}.get(short, short)
