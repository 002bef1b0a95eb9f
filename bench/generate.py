"""Deterministic synthetic ledger workspaces (~1.15 KB, ~49 pyromark events per entry) and in-place mutations."""

from __future__ import annotations

import os
import random
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

SEED = 42
ENTRIES_PER_FILE = 100
STATUSES = ("COMPLETE", "IN_PROGRESS", "BLOCKED")
CATEGORIES = ("storage", "parser", "cli", "network", "docs", "release", "tests", "infra")
OWNERS = ("alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi")
WORDS = (
    "ledger sync cache index build release parser engine table column record spec "
    "schema hash diff write read commit branch merge hook watcher target source "
    "entry field value status owner category date body title heading section fence "
    "markdown sqlite postgres query worker queue retry timeout budget profile memory "
    "stream batch chunk scan split token range offset buffer lock journal wal page "
    "vacuum migrate upgrade rollback verify drift patch plan apply check report"
).split()

WORKSPACE_YAML = "project: bench\ndatabase: sqlite:///bench.db\nspecs: specs/\n"
SPEC_YAML = """\
sync: ledger
source:
  files: docs/*.md
  records:
    - sections:
        level: 2
        match: '^(?P<entry_id>BUILD-\\d+):?\\s*(?P<title>.*)$'
        fields: [bold]
target:
  table: sot_entries
  key: [project_id, file_type, entry_id]
  columns:
    project_id: {type: text, value: "{project}"}
    file_type:  {type: text, value: build}
    entry_id:   text
    title:      text
    status:     {type: text, from: fields.status}
    date:       {type: date, from: fields.date}
    category:   {type: text, from: fields.category}
    owner:      {type: text, from: fields.owner}
    content:    {type: text, from: body}
hash: {algorithm: sha256, length: 16, column: content_hash}
on_missing: delete
"""
# Files and folders that make up the source side of a workspace; everything else is derived.
SOURCE_NAMES = frozenset({"syncspec.yaml", "specs", "docs"})

STATUS_RE = re.compile(r"^\*\*Status\*\*: (\S+)$", re.M)
REV_RE = re.compile(r"\brev(\d+)\b")


@dataclass(frozen=True)
class Corpus:
    """A generated workspace: its root, entry count and ledger files in order."""

    root: Path
    n: int
    files: tuple[Path, ...]
    per_file: int

    @property
    def bytes(self) -> int:
        return sum(p.stat().st_size for p in self.files)

    def entry_id(self, i: int) -> str:
        """The id of entry ``i`` (0-based)."""
        return f"BUILD-{i + 1:05d}"

    def file_of(self, i: int) -> Path:
        return self.files[i // self.per_file]


def _sentence(rng: random.Random, n: int) -> str:
    words = rng.choices(WORDS, k=n)
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(_sentence(rng, rng.randint(9, 14)) for _ in range(sentences))


LINK_TEXTS = ("the runbook", "the design note", "this thread", "the release checklist", "the old ledger")
SUBHEADINGS = ("Notes", "Follow-up", "Checks", "Open questions")


def _code_span(rng: random.Random) -> str:
    return "`" + rng.choice(("syncspec sync", "--only", "PRAGMA wal_checkpoint", "sot_entries",
                             "content_hash", "git status", "ON CONFLICT")) + "`"


def render_entry(rng: random.Random, i: int, start: date = date(2025, 1, 1), reference_links: bool = True) -> str:
    """One ledger entry (~1.2 KB, ~49 pyromark events), written the way people write ledgers.

    A heading, four bold fields, a paragraph with inline code spans and a link
    (inline, or reference-style with its definition below the paragraph), a
    ``###`` sub-heading over a bullet list (nested in about a third of the entries),
    a fenced code block holding ``#`` comment lines.
    No line inside a fence starts with ``## `` and the heading has no inline
    markup, so the regex floor (bench/baselines.py) reads the same rows.
    ``reference_links=False`` writes every link inline (same random stream): syncspec parses a file
    holding a link reference definition whole and reuses none of its sections, so this isolates that cost.
    """
    title = " ".join(rng.choices(WORDS, k=rng.randint(3, 6)))
    day = start + timedelta(days=rng.randrange(730))
    word = rng.choice(WORDS)
    key = f"BUILD-{i + 1:05d}"
    link_text = rng.choice(LINK_TEXTS)
    if rng.random() < 0.5 or not reference_links:
        link, definition = f"[{link_text}](https://example.com/{word}/{i + 1}.html)", ""
    else:
        link, definition = f"[{link_text}][{key.lower()}]", f"[{key.lower()}]: https://example.com/ledger/{i + 1}\n\n"
    items = [f"- {_sentence(rng, rng.randint(8, 13))[:-1]} with {_code_span(rng)}\n",
             f"- {_sentence(rng, rng.randint(9, 14))}\n"]
    if rng.random() < 0.3:
        items.append(f"  - {_sentence(rng, rng.randint(6, 10))}\n")
    return (
        f"## {key}: {title}\n\n"
        f"**Status**: {rng.choice(STATUSES)}\n"
        f"**Date**: {day.isoformat()}\n"
        f"**Category**: {rng.choice(CATEGORIES)}\n"
        f"**Owner**: {rng.choice(OWNERS)}\n\n"
        f"{_paragraph(rng, 7)} Run {_code_span(rng)} first; see {link}. Tracked as rev0.\n\n"
        f"{definition}"
        f"### {rng.choice(SUBHEADINGS)}\n\n"
        f"{''.join(items)}\n"
        "```bash\n"
        f"# rebuild the {word} index after the change\n"
        "#\n"
        f"syncspec sync --spec ledger --only {word}\n"
        "# then check that nothing drifted since the last run\n"
        "syncspec verify\n"
        "```\n\n"
    )


def generate(root: Path | str, n: int, seed: int = SEED, per_file: int = ENTRIES_PER_FILE,
             reference_links: bool = True) -> Corpus:
    """Write a workspace for ``n`` entries into ``root`` (created; docs/ spread over max(1, n // per_file) files)."""
    root = Path(root)
    (root / "specs").mkdir(parents=True, exist_ok=True)
    (root / "docs").mkdir(parents=True, exist_ok=True)
    (root / "syncspec.yaml").write_text(WORKSPACE_YAML, encoding="utf-8")
    (root / "specs" / "ledger.yaml").write_text(SPEC_YAML, encoding="utf-8")
    rng = random.Random(seed)
    n_files = max(1, n // per_file)
    per_file = -(-n // n_files)  # ceil
    files = []
    for f in range(n_files):
        lo, hi = f * per_file, min(n, (f + 1) * per_file)
        if lo >= hi:
            break
        parts = [f"# Build ledger {f:04d}\n\nSynthetic entries {lo + 1}-{hi} for the syncspec benchmark.\n\n"]
        parts.extend(render_entry(rng, i, reference_links=reference_links) for i in range(lo, hi))
        path = root / "docs" / f"ledger-{f:04d}.md"
        path.write_text("".join(parts), encoding="utf-8")
        files.append(path)
    return Corpus(root=root, n=n, files=tuple(files), per_file=per_file)


def events_per_entry(corpus: Corpus, max_files: int = 10) -> tuple[float, int]:
    """Mean pyromark events per entry over the first ``max_files`` files (syncspec's parse options), and
    how many entries that sample held. The file's own heading and intro line count too (about 5 events)."""
    import pyromark

    from syncspec.sources.markdown import OPTIONS

    events = entries = 0
    for path in corpus.files[:max_files]:
        text = path.read_text(encoding="utf-8")
        events += sum(1 for _ in pyromark.events_with_range(text, options=OPTIONS))
        entries += text.count("\n## BUILD-")
    return events / max(1, entries), entries


def reset_derived(corpus: Corpus) -> None:
    """Remove everything in the workspace but its sources (databases, .syncspec/ ledger)."""
    import shutil

    for child in corpus.root.iterdir():
        if child.name in SOURCE_NAMES:
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def _split_blocks(text: str) -> tuple[list[str], dict[str, int]]:
    """Split a ledger file at level-2 headings; map entry id -> block index."""
    starts = [m.start() for m in re.finditer(r"^## ", text, re.M)]
    bounds = [0, *starts, len(text)]
    blocks = [text[a:b] for a, b in zip(bounds, bounds[1:])]
    index = {}
    for k, block in enumerate(blocks):
        if block.startswith("## "):
            index[block[3:].split(":", 1)[0].strip()] = k
    return blocks, index


def _mutate_block(block: str, how: int, tag: int) -> str:
    if how == 0:  # rewrite the Status field to the next status
        m = STATUS_RE.search(block)
        new = STATUSES[(STATUSES.index(m.group(1)) + 1) % len(STATUSES)]
        return block[: m.start(1)] + new + block[m.end(1):]
    out, k = REV_RE.subn(f"rev{tag}", block, count=1)  # rewrite a body word
    assert k == 1 and out != block, "mutation tag must differ from the current one"
    return out


def _rewrite(path: Path, text: str) -> None:
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    after = path.stat().st_mtime_ns
    if after <= before:  # coarse timestamps: make sure size-or-mtime checks see the change
        os.utime(path, ns=(before + 1_000_000, before + 1_000_000))


def mutate(corpus: Corpus, indices: list[int], tag: int) -> int:
    """Change the entries at ``indices`` in place (Status for even picks, a body word for odd ones).

    ``tag`` must be unique per call (it becomes the new body word ``rev<tag>``, tag >= 1).
    Returns the number of entries changed (each one row update for a syncer).
    """
    by_file: dict[Path, list[tuple[int, int]]] = {}
    for pick, i in enumerate(sorted(set(indices))):
        by_file.setdefault(corpus.file_of(i), []).append((i, pick % 2))
    changed = 0
    for path, picks in by_file.items():
        blocks, index = _split_blocks(path.read_text(encoding="utf-8"))
        for i, how in picks:
            k = index[corpus.entry_id(i)]
            blocks[k] = _mutate_block(blocks[k], how, tag)
            changed += 1
        _rewrite(path, "".join(blocks))
    return changed


def mutate_fraction(corpus: Corpus, tag: int, fraction: float = 0.01) -> int:
    """Change ``fraction`` of the entries (at least one), chosen by ``Random(42 + tag)``."""
    k = max(1, int(corpus.n * fraction))
    return mutate(corpus, random.Random(SEED + tag).sample(range(corpus.n), k), tag)


def mutate_one(corpus: Corpus, tag: int) -> int:
    """Change exactly one entry, chosen by ``Random(42 + tag)``."""
    return mutate(corpus, [random.Random(SEED + tag).randrange(corpus.n)], tag)
