"""The input bounds syncspec enforces, in one place (the README's Safety section states them).

Each is a located error (exit 1) when exceeded, never a hang, a traceback or a database error.
"""

from __future__ import annotations

# documents: specs, syncspec.yaml, patch documents, YAML/JSON sources and front matter
MAX_DEPTH = 100                       # nesting of mappings/sequences (objects/arrays)
MAX_ALIAS_VALUES = 100_000            # values YAML aliases may add beyond the document's own (billion laughs)
MAX_INT_DIGITS = 4300                 # Python's own int/str conversion limit, reported with a location
MAX_CONFIG_BYTES = 4 * 1024 * 1024    # a spec, syncspec.yaml or a patch document
MAX_YAML_SOURCE_BYTES = 16 * 1024 * 1024   # a YAML source or a front matter block (PyYAML parses ~1-3 MB/s)
MAX_JSON_SOURCE_BYTES = 256 * 1024 * 1024  # a JSON source (parsed in C)

# regexes from specs (sections match, table/tasks under, column pattern)
REGEX_TIMEOUT = 0.5                   # seconds one match may take (the engine overshoots by ~50%); then a located error

# values, checked by the mapper before anything is written, the same on every backend
INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1
MAX_KEY_TEXT = 255                    # key text columns are VARCHAR(255) (MariaDB indexes no TEXT)
MAX_JSON_DEPTH = 31                   # MariaDB 10.11: JSON_VALID is 0 from 32 levels of arrays/objects on
