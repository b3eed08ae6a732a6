"""Import a drop of the curated source material into ``data/curated/`` and rebuild the datasets.

The curated collection (``toplines/russia.csv``, ``toplines/serbia.csv``,
``design/levada_sampling_error.csv``) is kept in the repository under ``data/curated/``: every
figure, date, source address, ``source_kind`` and flag, without the curator's free-text remarks
(the ``curation_note`` column stays out). The bundled datasets are built from that copy by
``scripts/build_datasets.py``, so a fresh clone can check every shipped figure against its source.

One command imports a later drop, reports what changed (rows added, removed and changed per
series, by ``row_id``), records the date the collection was checked and rebuilds::

    python scripts/import_curated.py [--source ../shared/data] [--as-of YYYY-MM-DD] [--dry-run]

``--as-of`` is the date the collection was last checked against its sources. Without it, the
latest "added on YYYY-MM-DD" date the drop's README states is used; if it states none, the
command stops and asks for it (it never guesses a date).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "data"
CURATED = ROOT / "data" / "curated"
TOPLINES = ("russia.csv", "serbia.csv")
DESIGN = "levada_sampling_error.csv"
#: Columns kept in the repository's copy, in this order (the drop's curator notes stay out).
KEEP = ["row_id", "pollster", "country", "series", "question", "fieldwork_start", "fieldwork_end",
        "published", "sample_size", "population", "mode", "response", "share", "source_url",
        "source_kind", "flags"]
LEFT_OUT = ("curation_note",)


def read_drop(source: Path) -> dict[str, pd.DataFrame]:
    """The toplines files of a drop, with the kept columns only (fails on a missing column)."""
    out = {}
    for name in TOPLINES:
        path = source / "toplines" / name
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        missing = [c for c in KEEP if c not in frame.columns]
        unknown = [c for c in frame.columns if c not in KEEP and c not in LEFT_OUT]
        if missing or unknown:
            raise SystemExit(f"{path}: missing columns {missing}, unexpected columns {unknown}")
        if not frame["row_id"].is_unique:
            raise SystemExit(f"{path}: row_id is not unique")
        out[name] = frame[KEEP]
    return out


def read_current() -> dict[str, pd.DataFrame]:
    """The repository's copy (empty frames where a file is not there yet)."""
    out = {}
    for name in TOPLINES:
        path = CURATED / "toplines" / name
        out[name] = (pd.read_csv(path, dtype=str, keep_default_na=False) if path.exists()
                     else pd.DataFrame(columns=KEEP, dtype=str))
    return out


def changes(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Rows added, removed and changed, per series (compared by ``row_id``).

    Returns a frame with columns ``series, added, removed, changed, changed_columns`` (one row
    per series with any change).

    Examples
    --------
    >>> old = pd.DataFrame({"row_id": ["A1", "A2"], "series": ["s", "s"], "share": ["52", "48"]})
    >>> new = pd.DataFrame({"row_id": ["A2", "A3"], "series": ["s", "s"], "share": ["47", "50"]})
    >>> changes(old, new).to_dict("records")
    [{'series': 's', 'added': 1, 'removed': 1, 'changed': 1, 'changed_columns': 'share'}]
    """
    old = old.set_index("row_id")
    new = new.set_index("row_id")
    added = new.loc[new.index.difference(old.index, sort=False)]
    removed = old.loc[old.index.difference(new.index, sort=False)]
    both = new.index.intersection(old.index, sort=False)
    cols = [c for c in new.columns if c in old.columns]
    a, b = old.loc[both, cols], new.loc[both, cols]
    diff = a.ne(b)
    changed = b[diff.any(axis=1)]
    rows = {}
    for frame, kind in ((added, "added"), (removed, "removed"), (changed, "changed")):
        for series, count in frame.groupby("series", sort=True).size().items():
            rows.setdefault(series, {"added": 0, "removed": 0, "changed": 0, "cols": set()})
            rows[series][kind] = int(count)
    for row_id in changed.index:
        series = b.loc[row_id, "series"]
        rows[series]["cols"] |= set(diff.columns[diff.loc[row_id].to_numpy()])
    return pd.DataFrame(
        [{"series": s, "added": r["added"], "removed": r["removed"], "changed": r["changed"],
          "changed_columns": ", ".join(sorted(r["cols"]))} for s, r in sorted(rows.items())],
        columns=["series", "added", "removed", "changed", "changed_columns"])


def stated_date(readme: Path) -> str | None:
    """The latest 'added on YYYY-MM-DD' date in a drop's README, if it states one."""
    if not readme.exists():
        return None
    found = re.findall(r"added on\s+(\d{4}-\d{2}-\d{2})", readme.read_text(encoding="utf-8"))
    return max(found) if found else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE,
                        help="the drop's folder (with toplines/ and design/)")
    parser.add_argument("--as-of", help="the date the collection was last checked (YYYY-MM-DD)")
    parser.add_argument("--dry-run", action="store_true", help="report the changes only")
    args = parser.parse_args(argv)

    drop = read_drop(args.source)
    current = read_current()
    report = pd.concat([changes(current[n], drop[n]) for n in TOPLINES], ignore_index=True)
    if report.empty:
        print("no figure, date, source or flag changed")
    else:
        with pd.option_context("display.max_rows", None, "display.width", 200,
                               "display.max_colwidth", 80):
            print(report.to_string(index=False))
        print(f"\n{report['added'].sum()} rows added, {report['removed'].sum()} removed, "
              f"{report['changed'].sum()} changed in {len(report)} series")
    if args.dry_run:
        return 0

    as_of = args.as_of or stated_date(args.source / "README.md")
    if as_of is None:
        raise SystemExit("the drop states no date: pass --as-of YYYY-MM-DD (the date the "
                         "collection was last checked against its sources)")
    dt.date.fromisoformat(as_of)
    sys.path.insert(0, str(ROOT / "scripts"))
    import build_datasets

    build_datasets.build(args.source)  # stops here, writing nothing, if the drop cannot be built
    (CURATED / "toplines").mkdir(parents=True, exist_ok=True)
    (CURATED / "design").mkdir(parents=True, exist_ok=True)
    for name, frame in drop.items():
        frame.to_csv(CURATED / "toplines" / name, index=False, lineterminator="\n")
    design = (args.source / "design" / DESIGN).read_text(encoding="utf-8")
    (CURATED / "design" / DESIGN).write_text(design, encoding="utf-8")
    meta_path = CURATED / "collection.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
    meta["data_as_of"] = as_of
    meta_path.write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"imported into {CURATED.relative_to(ROOT)} (data as of {as_of}); rebuilding")
    return build_datasets.main([])


if __name__ == "__main__":
    sys.exit(main())
