"""TOML (``+++`` front matter, sibling files) with located errors: tomllib on 3.11+, tomli before."""

from __future__ import annotations

import re
import sys
from typing import Any

from ..errors import Problem, SourceError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


def load_toml(text: str, display: str, line_offset: int = 0, where: str = "") -> dict[str, Any]:
    """The TOML document ``text``; ``line_offset`` lines precede it in the file ``display``."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        m = _AT.search(message)
        line = col = None
        if m is not None:
            line, col = int(m.group(1)) + line_offset, int(m.group(2))
            message = message[:m.start()].strip()
        raise SourceError(problems=[Problem(f"invalid TOML{where}: {message}", file=display, line=line, column=col,
                                            hint="fix the TOML syntax (key = value, strings in quotes)")]) from None
    except (ValueError, OverflowError) as exc:    # an impossible date such as 2020-02-30
        raise SourceError(problems=[Problem(f"invalid TOML{where}: {exc}", file=display,
                                            line=line_offset + 1 if line_offset else None)]) from None
