"""Printing for people (rich tables on a terminal, plain text otherwise) and machines (--json)."""

from __future__ import annotations

import json
import os
import sys
from typing import Any, Sequence


class Output:
    """Where a command's results go; rich is imported only when a terminal shows them."""

    def __init__(self, as_json: bool = False, stream=None, err=None, color: bool | None = None):
        self.as_json = as_json
        self.stream = stream or sys.stdout
        self.err = err or sys.stderr
        tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.rich = tty and not as_json and color is not False and not os.environ.get("NO_COLOR")
        self._console = None

    @property
    def console(self):
        if self._console is None:
            from rich.console import Console

            self._console = Console(file=self.stream, highlight=False)
        return self._console

    def json(self, data: Any) -> None:
        self.stream.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")

    def line(self, text: str = "", style: str | None = None) -> None:
        if self.as_json:
            return
        if self.rich and style:
            self.console.print(text, style=style, markup=False)
        else:
            self.stream.write(text + "\n")

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None) -> None:
        if self.as_json:
            return
        cells = [["" if v is None else str(v) for v in row] for row in rows]
        if self.rich:
            from rich.table import Table

            table = Table(title=title, title_justify="left")
            for h in headers:
                table.add_column(h)
            for row in cells:
                table.add_row(*row, end_section=False)
            self.console.print(table)
            return
        if title:
            self.stream.write(title + "\n")
        widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
        self.stream.write("  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip() + "\n")
        for row in cells:
            self.stream.write("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() + "\n")

    def error(self, text: str) -> None:
        self.err.write(text.rstrip("\n") + "\n")

    def progress(self, total_hint: int = 0):
        """A callback for the engine's per-file progress, or None when not on a terminal."""
        if not self.rich:
            return None, None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                       console=self.console, transient=True)
        tasks: dict[str, Any] = {}

        def update(spec: str, done: int, total: int) -> None:
            if total < 20:
                return
            if spec not in tasks:
                if not bar.live.is_started:
                    bar.start()
                tasks[spec] = bar.add_task(f"reading {spec}", total=total)
            bar.update(tasks[spec], completed=done)

        return update, bar
