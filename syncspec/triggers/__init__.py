"""Triggers: what runs a spec by itself. select (spec globs vs changed files, the cached spec
index), git (what git reports), run (one pass, then each spec alone on failure), hooks (git
hooks), watch (watchfiles). Nothing here is imported by a plain sync."""
