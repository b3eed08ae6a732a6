"""How much `import polls` adds to `import pandas` (goal: under 150 ms).

Each measurement is a fresh interpreter. Two readings:

* ``-X importtime``: the cumulative microseconds the interpreter reports for ``polls`` itself
  after pandas is already imported (what polls adds);
* wall time of ``python -c "import pandas"`` against ``python -c "import pandas, polls"``
  (median of repeated runs; includes interpreter start-up, which cancels in the difference).

The package's bytecode is compiled first, as it is for an installed package.

Run: ``.venv/bin/python benchmarks/bench_import.py [--repeat 15]``; the table is printed and
written to ``benchmarks/results/import.md``.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "import.md"


def importtime_of_polls() -> float:
    """Cumulative import time of the polls package, in ms, with pandas imported first."""
    run = subprocess.run([sys.executable, "-X", "importtime", "-c", "import pandas; import polls"],
                         capture_output=True, text=True, check=True)
    for line in run.stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \|\s?(\s*)polls$", line)
        if match and match.group(2) == "":
            return int(match.group(1)) / 1000
    raise RuntimeError("no importtime line for polls")


def wall(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return (time.perf_counter() - start) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    # Users import an installed package with its bytecode cached; compile it first, since an
    # environment with PYTHONDONTWRITEBYTECODE set would otherwise recompile polls every time.
    import compileall

    import polls

    compileall.compile_dir(str(Path(polls.__file__).parent), quiet=1)
    wall("import pandas, polls")  # warm the file cache
    own = [importtime_of_polls() for _ in range(args.repeat)]
    base = [wall("import pandas") for _ in range(args.repeat)]
    both = [wall("import pandas, polls") for _ in range(args.repeat)]
    rows = [
        ("polls, by -X importtime (pandas already imported)", statistics.median(own)),
        ("import pandas (wall, median)", statistics.median(base)),
        ("import pandas, polls (wall, median)", statistics.median(both)),
        ("difference (wall)", statistics.median(both) - statistics.median(base)),
    ]
    lines = ["| measurement | ms |", "|---|---:|"]
    lines += [f"| {name} | {ms:.1f} |" for name, ms in rows]
    text = "\n".join(lines)
    print(text)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        "# Import time\n\nCommand: `.venv/bin/python benchmarks/bench_import.py "
        f"--repeat {args.repeat}` (goal: polls adds under 150 ms to pandas).\n\n{text}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
