"""Concurrent runs on one target serialize: no errors, no lost or doubled rows."""

from __future__ import annotations

import threading

from syncspec import Workspace


def test_parallel_syncs_serialize(ledger_ws, db_url):
    results, errors = [], []

    def run():
        try:
            results.append(Workspace.open(ledger_ws, database_url=db_url).sync(lock_timeout=60))
        except Exception as exc:  # noqa: BLE001 - the assertion below reports it
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    inserted = sorted(r.inserted for r in results)
    assert inserted[0] == inserted[1] == 0 and inserted[2] >= 60   # exactly one run inserted
    runs = Workspace.open(ledger_ws, database_url=db_url).history()
    assert len(runs) == 3 and all(r.state == "succeeded" for r in runs)
    again = Workspace.open(ledger_ws, database_url=db_url).plan()
    assert again.empty
