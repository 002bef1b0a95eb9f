"""Benchmark harness for syncspec: synthetic ledgers, raw baselines, peers and the runner (`invoke bench`)."""
