"""Where a workspace keeps its patches, plan, plan schema and ledger (``patches:`` in syncspec.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError, Problem
from ..workspace import WORKSPACE_FILE, WorkspaceConfig

LEDGER_NAME = "applied.json"


@dataclass(frozen=True)
class PatchConfig:
    """Resolved paths of the patch workflow; ``display`` gives each relative to the workspace."""

    root: Path
    project: str
    database_url: str
    lock_timeout: float
    dir: Path
    plan: Path
    schema: Path | None
    ledger: Path

    def display(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    @property
    def lock_path(self) -> Path:
        return self.root / ".syncspec" / "patches.lock"


def patch_config(ws: WorkspaceConfig) -> PatchConfig:
    """The ``patches:`` settings of a workspace, paths resolved and kept inside it."""
    settings = ws.patches or {}
    root = ws.root.resolve()
    if not settings.get("plan"):
        raise ConfigError(problems=[_problem(root, ("patches", "plan") if settings else (),
                                             "no plan file is configured for patches",
                                             "add 'patches: {dir: patches/, plan: plans/master_plan.json}' "
                                             "to syncspec.yaml")])

    def inside(key: str, value: str) -> Path:
        path = (root / value).resolve()
        if path != root and root not in path.parents:
            raise ConfigError(problems=[_problem(root, ("patches", key),
                                                 f"{value!r} is outside the workspace",
                                                 "use a path relative to the folder of syncspec.yaml")])
        return path

    folder = inside("dir", settings.get("dir", "patches/"))
    schema = settings.get("schema")
    return PatchConfig(
        root=root, project=ws.project, database_url=ws.database_url, lock_timeout=ws.lock_timeout,
        dir=folder, plan=inside("plan", settings["plan"]),
        schema=inside("schema", schema) if schema else None,
        ledger=inside("ledger", settings["ledger"]) if settings.get("ledger") else folder / LEDGER_NAME)


def config_problem(cfg: PatchConfig, key: str, message: str, hint: str) -> Problem:
    """A problem located at ``patches.<key>`` in syncspec.yaml."""
    return _problem(cfg.root, ("patches", key), message, hint)


def _problem(root: Path, path: tuple, message: str, hint: str) -> Problem:
    from ..spec.yamlfile import load_yaml, read_text

    try:
        doc = load_yaml(read_text(root / WORKSPACE_FILE, WORKSPACE_FILE), WORKSPACE_FILE)
    except Exception:  # noqa: BLE001 - the file was read once already; locating is best effort
        return Problem(message, file=WORKSPACE_FILE, hint=hint)
    return doc.problem(path, message, hint=hint)
