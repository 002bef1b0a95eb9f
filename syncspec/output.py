"""Printing for people (rich tables on a terminal, plain text otherwise) and machines (--json)."""

from __future__ import annotations

import json
import os
import sys
import textwrap
import time
from typing import Any, Callable, Sequence

MIN_WIDTH = 8          # a shortened column keeps at least this many characters
MAX_WORD = 20          # a wrapped column is never narrower than its longest word, up to this
BAR_AFTER = 1.0        # seconds a run must last before a progress bar appears


class Output:
    """Where a command's results go; rich is imported only when a terminal shows them.

    ``jsonl``: ``json()`` writes one compact line per document (preview's JSON Lines).
    """

    def __init__(self, as_json: bool = False, stream=None, err=None, color: bool | None = None):
        self.as_json = as_json
        self.jsonl = False
        self.stream = stream or sys.stdout
        self.err = err or sys.stderr
        tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.tty = bool(tty)
        self.rich = self.tty and not as_json and color is not False and not os.environ.get("NO_COLOR")
        self._console = None

    @property
    def console(self):
        if self._console is None:
            from rich.console import Console

            self._console = Console(file=self.stream, highlight=False)
        return self._console

    def json(self, data: Any) -> None:
        if self.jsonl:
            self.stream.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")
        else:
            self.stream.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")

    def line(self, text: str = "", style: str | None = None) -> None:
        if self.as_json:
            return
        if self.rich and style:
            self.console.print(text, style=style, markup=False)
        else:
            self.stream.write(text + "\n")

    def width(self) -> int | None:
        """The columns to fit: the terminal's (rich honours COLUMNS), or COLUMNS when piped; None: no limit."""
        if self.rich:
            return int(self.console.width)
        columns = os.environ.get("COLUMNS", "")
        if columns.isdigit() and int(columns) > 0:
            return int(columns)
        if self.tty:
            import shutil

            return shutil.get_terminal_size().columns
        return None

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None,
              keep: Sequence[str] = (), wrap: Sequence[str] = (), drop: Sequence[str] = ()) -> None:
        """A table that fits the width: ``keep`` columns stay whole (names users type next), ``drop``
        columns go first when it is too narrow, ``wrap`` columns wrap, other columns are shortened."""
        if self.as_json:
            return
        cells = [[_cell(v) for v in row] for row in rows]
        overhead = (lambda n: 3 * n + 1) if self.rich else (lambda n: 2 * (n - 1))
        shown, widths = fit(list(headers), cells, self.width(), overhead, keep, wrap, drop)
        headers = [headers[i] for i in shown]
        cells = [[row[i] for i in shown] for row in cells]
        if self.rich:
            self._rich_table(headers, cells, widths, title, keep, wrap)
            return
        if title:
            self.stream.write(title + "\n")
        self.stream.write("  ".join(_fold(h, w, False)[0].ljust(w) for h, w in zip(headers, widths)).rstrip() + "\n")
        for row in cells:
            parts = [_fold(v, w, h in wrap) for v, w, h in zip(row, widths, headers)]
            for k in range(max(len(p) for p in parts) if parts else 0):
                line = "  ".join((p[k] if k < len(p) else "").ljust(w) for p, w in zip(parts, widths))
                self.stream.write(line.rstrip() + "\n")

    def _rich_table(self, headers, cells, widths, title, keep, wrap) -> None:
        from rich.table import Table

        table = Table(title=title, title_justify="left")
        for h, w in zip(headers, widths):
            if h in keep:
                table.add_column(h, no_wrap=True, min_width=w)
            elif h in wrap:
                table.add_column(h, overflow="fold", max_width=w)
            else:
                table.add_column(h, no_wrap=True, overflow="ellipsis", max_width=w)
        for row in cells:
            table.add_row(*row, end_section=False)
        self.console.print(table)

    def error(self, text: str) -> None:
        self.err.write(text.rstrip("\n") + "\n")

    def progress(self, total_hint: int = 0) -> tuple[Callable[[str, int, int], None] | None, Any]:
        """A callback for the engine's per-file progress, or None when not on a terminal.

        The bar appears only once a run has lasted a second, and shows the rate and the time left.
        """
        if not self.rich:
            return None, None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), _rate_column(),
                       TextColumn("ETA"), TimeRemainingColumn(), console=self.console, transient=True)
        tasks: dict[str, Any] = {}
        started = time.monotonic()

        def update(spec: str, done: int, total: int) -> None:
            if total < 20:
                return
            if spec not in tasks:      # a spec's files read, or ("writing ...") its held-back rows written
                tasks[spec] = bar.add_task(spec if spec.startswith("writing ") else f"reading {spec}", total=total)
            bar.update(tasks[spec], completed=done)
            if not bar.live.is_started and time.monotonic() - started >= BAR_AFTER:
                bar.start()

        return update, bar


def _rate_column() -> Any:
    """Files per second, as a rich ProgressColumn (defined here so rich is imported only for a bar)."""
    from rich.progress import ProgressColumn
    from rich.text import Text

    class Rate(ProgressColumn):
        def render(self, task: Any) -> Text:
            speed = task.finished_speed or task.speed
            unit = "rows/s" if task.description.startswith("writing ") else "files/s"
            return Text("" if speed is None else f"{speed:,.0f} {unit}", style="progress.data.speed")

    return Rate()


def _cell(value: Any) -> str:
    return "" if value is None else " ".join(str(value).split("\n"))


def _fold(text: str, width: int, wrap: bool) -> list[str]:
    if len(text) <= width:
        return [text]
    if wrap:
        return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]
    return [text[:max(width - 1, 0)] + "…"]


def fit(headers: list[str], cells: list[list[str]], width: int | None, overhead: Callable[[int], int],
        keep: Sequence[str], wrap: Sequence[str], drop: Sequence[str]) -> tuple[list[int], list[int]]:
    """Which columns to show and how wide, so a row fits ``width``.

    Order of sacrifice: drop the ``drop`` columns (in order); wrap the ``wrap``
    columns (never splitting a word of up to MAX_WORD characters); shorten the
    widest of the other columns not in ``keep`` (down to MIN_WIDTH); as a last
    resort drop columns not in ``keep`` from the right.

    >>> fit(["spec", "why"], [["build_history", "x" * 100]], 40, lambda n: 2 * (n - 1), ["spec"], ["why"], [])
    ([0, 1], [13, 25])
    """
    natural = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    shown = list(range(len(headers)))
    if width is None:
        return shown, natural
    widths = list(natural)

    def total() -> int:
        return sum(widths[i] for i in shown) + overhead(len(shown))

    for name in drop:
        if total() <= width:
            break
        if name in headers and headers.index(name) in shown:
            shown.remove(headers.index(name))
    word = {i: max([len(w) for r in cells for w in r[i].split()] or [0]) for i in shown}
    floor = {i: natural[i] if headers[i] in keep else
             min(natural[i], max(MIN_WIDTH, min(word[i], MAX_WORD)) if headers[i] in wrap else MIN_WIDTH)
             for i in shown}
    for group in ([i for i in shown if headers[i] in wrap], [i for i in shown if headers[i] not in keep]):
        while total() > width:
            movable = [i for i in group if widths[i] > floor[i]]
            if not movable:
                break
            i = max(movable, key=lambda j: widths[j])
            widths[i] = max(floor[i], widths[i] - (total() - width))
    while total() > width and any(headers[i] not in keep for i in shown):
        shown.remove(max(i for i in shown if headers[i] not in keep))
    return shown, [widths[i] for i in shown]
