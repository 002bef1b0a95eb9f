"""Reviewed JSON Patch documents applied to a plan file, with an applied-patch ledger.

    config.py    patches: in syncspec.yaml -> resolved paths (dir, plan, schema, ledger)
    document.py  NNN-slug.yaml / .json -> validated PatchDoc (schemas/patch.schema.json), checksum
    order.py     apply order by requires then number; unknown requires, cycles, conflicts
    apply.py     one patch in memory: RFC 6902 ops (jsonpatch), post-conditions, plan schema, diff
    jsonfile.py  JSON read with located errors, written back in its own layout, atomically
    ledger.py    applied.json (append-only) and the journaled two-file commit
    state.py     applied / pending / modified / draft / missing, read-only
    scaffold.py  `patch new`: the next numbered draft
    dbmirror.py  syncspec_patches in the target database (best effort; the file is canonical)
    api.py       status, pending, plan, apply, new
"""

from __future__ import annotations

from .api import ApplyResult, PatchPlan, PatchStep, apply, new, pending, plan, status
from .state import PatchInfo, PatchStatus

__all__ = ["ApplyResult", "PatchInfo", "PatchPlan", "PatchStatus", "PatchStep", "apply", "new", "pending", "plan",
           "status"]
