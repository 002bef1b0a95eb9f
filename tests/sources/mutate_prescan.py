"""Source-level mutants of syncspec/sources/prescan.py: each that changes results must fail the differential test.

Not collected by pytest (a check of the test, run by hand after changing the pre-scan or the test):
    .venv/bin/python tests/sources/mutate_prescan.py 600 ex   # the suite's test: examples + 600 generated
    .venv/bin/python tests/sources/mutate_prescan.py 3000      # generated documents only
"(safe)" mutants and "bom first" (pulldown-cmark reads a BOM as text) change nothing: NOT CAUGHT is right.
"""
import sys; sys.path.insert(0, "tests/sources")
import syncspec.sources.prescan as P
import syncspec.sources.markdown as M
import test_parse_differential as T
from hypothesis import given, settings, HealthCheck
SRC = open(P.__file__).read()
N = int(sys.argv[1]) if len(sys.argv) > 1 else 600
use_examples = len(sys.argv) > 2
mutants = {
  "always spaces": [('(" " if closed else "a")', '" "'), ("if not closed and find", "if False and find")],
  "never spaces (safe)": [('(" " if closed else "a")', '"a"')],
  "pipe allowed": [(r'''_REST = r"[^\n\r|>]*+\r?"''', r'''_REST = r"[^\n\r>]*+\r?"'''), ('find("|", start, end) < 0 and ', '')],
  "gt allowed": [(r'''_REST = r"[^\n\r|>]*+\r?"''', r'''_REST = r"[^\n\r|]*+\r?"'''), ('find(">", start, end) < 0 and ', '')],
  "lone CR allowed": [(r'''_REST = r"[^\n\r|>]*+\r?"''', r'''_REST = r"[^\n|>]*+"'''), (' and not (cr and find("\\r", start, end) >= 0)', '')],
  "setext allowed": [("_FIRST_START = r\"(?:[^#`~<>|*+\\-_=", "_FIRST_START = r\"(?:[^#`~<>|*+\\-_"), ("_NEXT_START = r\"[ \\t]*+(?:[^#`~<>|*+\\-_=", "_NEXT_START = r\"[ \\t]*+(?:[^#`~<>|*+\\-_")],
  "bullet allowed": [(r"[^#`~<>|*+\-_=0-9 \t\r\n\ufeff]", r"[^#`~<>|*\-_=0-9 \t\r\n\ufeff]")],
  "ordered allowed": [(r'''[0-9]++(?![.)]))"
_REST''', r'''[0-9]++)"
_REST''')],
  "ATX allowed": [(r"[^#`~<>|*+\-_=0-9 \t\r\n\ufeff]", r"[^`~<>|*+\-_=0-9 \t\r\n\ufeff]")],
  "fence allowed": [(r"[^#`~<>|*+\-_=0-9 \t\r\n\ufeff]", r"[^#<>|*+\-_=0-9 \t\r\n\ufeff]")],
  "bracket first": [(r"[^#`~<>|*+\-_=0-9\[ \t\r\n\ufeff]", r"[^#`~<>|*+\-_=0-9 \t\r\n\ufeff]")],
  "indented first": [(r"[^#`~<>|*+\-_=0-9\[ \t\r\n\ufeff]", r"[^#`~<>|*+\-_=0-9\[\r\n\ufeff]")],
  "***x allowed": [(r'|\*\*[^* \t\r\n]|__[^_ \t\r\n]|[0-9]++(?![.)]))"' + "\n_REST", r'|\*\*[^ \t\r\n]|__[^_ \t\r\n]|[0-9]++(?![.)]))"' + "\n_REST")],
  "closed: any #": [(r'_CLOSED = re.compile(r"(?:\#{1,6}(?:[ \t][^|\r\n]*)?|', r'_CLOSED = re.compile(r"(?:\#[^\r\n]*|')],
  "closed: backtick info": [(r"`{3,}[^`\r\n]*", r"`{3,}[^\r\n]*")],
  "closed: any line": [("closed = False", "closed = True")],
  "bom first": [(r"[^#`~<>|*+\-_=0-9\[ \t\r\n\ufeff]", r"[^#`~<>|*+\-_=0-9\[ \t\r\n]")],
}
for name, reps in mutants.items():
    src = SRC
    for a, b in reps:
        assert a in src, (name, a)
        src = src.replace(a, b)
    ns = {"__name__": "mutant"}
    exec(compile(src, "mutant", "exec"), ns)
    M.blank_plain_paragraphs = ns["blank_plain_paragraphs"]
    if use_examples:
        test = T.test_parse_agrees_with_the_full_walk
    else:
        test = settings(max_examples=N, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])(
            given(T.documents())(lambda text: T._same(text)))
    try:
        test(); print(name, "NOT CAUGHT")
    except AssertionError:
        print(name, "caught")
M.blank_plain_paragraphs = P.blank_plain_paragraphs
