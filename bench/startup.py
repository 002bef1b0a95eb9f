"""Start-up of the commands people and git hooks run most, as fresh processes beside `python -c pass`.

    python -m bench.startup [--runs N] [--json FILE]       (or: invoke bench --startup)

Scenarios (issue 12 goals in brackets, as ratios to `python -c pass` measured in the same run):
  version   `syncspec --version`                                        [2.5x]
  noop      a no-op `syncspec sync` of a copy of examples/ledger        [5x]
  hook      the post-commit hook (the script git runs) after a commit
            that touched no source, examples/ledger in a git repository [5x]
Each is run --runs times, interleaved; the median wall time counts. `-X importtime` of one extra
run of each lists the heaviest imports (cumulative microseconds), to show where the time goes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GOALS = {"version": 2.5, "noop": 5.0, "hook": 5.0}


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("GIT_")}
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", GIT_AUTHOR_NAME="bench",
               GIT_AUTHOR_EMAIL="bench@example.org", GIT_COMMITTER_NAME="bench",
               GIT_COMMITTER_EMAIL="bench@example.org")
    return env


def _run(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    r = subprocess.run(cmd, cwd=cwd, env=env or _env(), capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return r


def _syncspec() -> list[str]:
    script = Path(sys.executable).with_name("syncspec")
    return [str(script)] if script.exists() else [sys.executable, "-m", "syncspec"]


def prepare(tmp: Path) -> dict[str, list[str]]:
    """A synced copy of examples/ledger in a git repository with the hooks installed, and the commands."""
    ws = tmp / "ledger"
    shutil.copytree(REPO / "examples" / "ledger", ws, ignore=shutil.ignore_patterns(".syncspec"))
    (ws / ".gitignore").write_text(".syncspec/\n")
    _run(["git", "init", "-q", "-b", "main"], cwd=ws)
    _run(["git", "add", "-A"], cwd=ws)
    _run(["git", "commit", "-q", "-m", "initial"], cwd=ws)
    _run([*_syncspec(), "--project", str(ws), "hooks", "install"])
    _run([*_syncspec(), "--project", str(ws), "sync"])
    old = time.time() - 60      # spec files out of the "racy" window, so the hook's spec index is trusted
    for path in [ws / "syncspec.yaml", *(ws / "specs").glob("*.yaml")]:
        os.utime(path, (old, old))
    (ws / "NOTES.md").write_text("not a source of any spec\n")
    _run(["git", "add", "NOTES.md"], cwd=ws)
    _run(["git", "commit", "-q", "-m", "notes"], cwd=ws)          # the hook runs once: the index is written
    hook = ws / ".git" / "hooks" / "post-commit"
    return {
        "python": [sys.executable, "-c", "pass"],
        "version": [*_syncspec(), "--version"],
        "noop": [*_syncspec(), "--project", str(ws), "sync"],
        "hook": [str(hook)],
        "_cwd": [str(ws)],
    }


def _time(cmd: list[str], cwd: str) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def heaviest(cmd: list[str], cwd: str, top: int = 6) -> list[tuple[str, int]]:
    """(module, cumulative us) of the heaviest top-level imports of one run under -X importtime."""
    env = _env()
    env["PYTHONPROFILEIMPORTTIME"] = "1"
    r = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    found = []
    for line in r.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line.split("|", 2)
        if cumulative.strip().isdigit() and not name.startswith("  "):
            found.append((name.strip(), int(cumulative)))
    return sorted(found, key=lambda x: -x[1])[:top]


def measure(runs: int = 15) -> dict:
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "syncspec")], check=False)
    with tempfile.TemporaryDirectory(prefix="syncspec-startup-") as tmp:
        cmds = prepare(Path(tmp))
        cwd = cmds.pop("_cwd")[0]
        times: dict[str, list[float]] = {name: [] for name in cmds}
        for name, cmd in cmds.items():
            _time(cmd, cwd)                                   # warm the page cache
        for _ in range(runs):
            for name, cmd in cmds.items():
                times[name].append(_time(cmd, cwd))
        imports = {name: heaviest(cmd if name != "hook" else
                                  [sys.executable, "-m", "syncspec.triggers.hooks", "post-commit", "--project", cwd],
                                  cwd) for name, cmd in cmds.items() if name != "python"}
    median = {name: statistics.median(t) for name, t in times.items()}
    base = median["python"]
    return {"runs": runs, "seconds": median, "ratio": {k: v / base for k, v in median.items() if k != "python"},
            "goal": GOALS, "imports": imports}


def report(result: dict) -> str:
    base = result["seconds"]["python"]
    lines = [f"start-up, fresh processes, median of {result['runs']} (python -c pass: {base * 1000:.1f} ms)"]
    labels = {"version": "syncspec --version", "noop": "no-op sync (examples/ledger)",
              "hook": "post-commit hook, no source touched"}
    for name, label in labels.items():
        ratio = result["ratio"][name]
        goal = result["goal"][name]
        lines.append(f"  {label:38} {result['seconds'][name] * 1000:7.1f} ms  {ratio:5.2f}x  "
                     f"(goal {goal}x: {'met' if ratio <= goal else 'NOT met'})")
    for name, found in result["imports"].items():
        lines.append(f"  heaviest imports, {name}: " + ", ".join(f"{m} {us / 1000:.1f} ms" for m, us in found))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json", metavar="FILE", help="also write the figures here")
    args = parser.parse_args(argv)
    result = measure(args.runs)
    print(report(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
