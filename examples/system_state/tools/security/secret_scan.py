# -*- coding: utf-8 -*-
"""Secret scan: block commits that add AWS keys or private keys (Phase 235)."""

import re
import sys

PATTERNS = [re.compile(r"AKIA[0-9A-Z]{16}"), re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")]


def main(paths: list[str]) -> int:
    found = [p for p in paths for rx in PATTERNS if rx.search(open(p, encoding="utf-8").read())]
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
