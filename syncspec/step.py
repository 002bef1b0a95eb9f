"""One spec through the pipeline, once per run: files -> records -> rows -> every lane.

The spec's files are parsed once however many targets it feeds; each file goes to the
lanes (lane.py) that need it, and each lane diffs and writes on its own. Problems are
collected, never raised here, so a run reports every problem of every spec together.
"""

from __future__ import annotations

from pathlib import Path

from .changes import SourceFile, list_files
from .children import Children
from .errors import MappingError, Problem, SourceError
from .lane import Lane
from .plan import ChangeSet
from .records import Mapper, Row
from .results import Collected, Deadline, Options
from .sources.batches import OldFile, ReusedSections
from .spec.model import Spec


def run_spec(root: Path, context: dict[str, str], spec: Spec, lanes: list[Lane], opts: Options,
             deadline: Deadline, problems: Collected) -> list[ChangeSet] | None:
    """Select, extract, map and hand every file's rows to the lanes; one ChangeSet per lane."""
    try:
        files = list_files(spec, root)
    except SourceError as exc:
        problems.add(SourceError, exc.problems)
        return None
    for lane in lanes:
        lane.select(files, opts, problems)
    mapper = Mapper(spec, dict(context, sync=spec.name))
    children = Children(spec, context) if spec.parent is not None else None
    strategies: dict[str, int] = {}
    source_problems: list[Problem] = []
    mapping_problems: list[Problem] = []
    needed = [f for f in files if any(f.display in lane.to_parse for lane in lanes)]
    if needed:
        from .sources.extract import extract_batches   # the parsers: a no-op sync imports none of them
    for n, f in enumerate(needed, 1):
        deadline.check(f"reading {f.display}")
        mine = [lane for lane in lanes if f.display in lane.to_parse]
        for lane in mine:
            lane.start_file()
        try:
            for batch in extract_batches(spec, f.path, f.display, f.read(), old=_shared_old(mine, f)):
                if isinstance(batch, ReusedSections):
                    for lane in mine:
                        lane.reuse(batch)
                    continue
                records = batch.records if children is None else children.records(batch.records)
                if batch.strategy is not None:
                    strategies[batch.strategy] = strategies.get(batch.strategy, 0) + len(records)
                deadline.check(f"reading {f.display}")
                rows: list[Row] = []
                for i, record in enumerate(records):
                    if i % 500 == 499:
                        deadline.check(f"mapping {f.display}")   # a single big file is bounded too
                    row = mapper.map(record, mapping_problems)
                    if row is not None:
                        rows.append(row)
                writing = not (source_problems or mapping_problems)
                for lane in mine:
                    lane.take(batch, rows, writing)
                    deadline.check(f"writing {f.display}")
        except SourceError as exc:
            if not f.path.exists():           # deleted or renamed while the run ran (an editor's atomic save,
                for lane in mine:             # a checkout): it has left the source, as if listed no more
                    lane.vanished(f.display)
                continue
            source_problems.extend(exc.problems)
            continue
        finally:
            f.raw = None    # stream: never hold the corpus
        for lane in mine:
            lane.end_file(f)
        if opts.progress:
            opts.progress(spec.name, n, len(needed))
    if len(needed) == len(files) and not (source_problems or mapping_problems):
        # a from: typo no record has (records.py); only when every file was read, so an incremental
        # run never reports what a full one would not
        mapping_problems.extend(mapper.unread_paths())
    if lanes:
        lanes[0].warnings.extend(mapper.warnings)   # on_error: warn values, said once per spec
    problems.add(SourceError, source_problems)
    problems.add(MappingError, mapping_problems)
    _dedupe_duplicates(lanes)
    if source_problems or mapping_problems:
        for lane in lanes:
            lane.report(problems)
        return None
    changes = [lane.finish(len(files), strategies, opts.allow_empty, problems) for lane in lanes]
    return None if any(cs is None for cs in changes) else [cs for cs in changes if cs is not None]


def _shared_old(lanes: list[Lane], f: SourceFile) -> OldFile | None:
    """Section reuse needs one old state: the lanes' stored entries of the file, when they agree."""
    olds = [lane.old.get(f.display) for lane in lanes]
    first = olds[0]
    return first if first is not None and all(o == first for o in olds[1:]) else None


def _dedupe_duplicates(lanes: list[Lane]) -> None:
    """Lanes see the same rows: a duplicate key is reported once, by the first lane that found it."""
    reported: set[Problem] = set()
    for lane in lanes:
        lane.duplicates = [p for p in lane.duplicates if p not in reported]
        reported.update(lane.duplicates)
