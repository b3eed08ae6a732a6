"""The ``polls`` command: the dataset catalogue, one series as a table, and the notebooks report.

Usage::

    polls datasets [--country RU|RS] [--pollster ID]
    polls info NAME
    polls show NAME [--last N] [--conflicts all]
    polls report [--output build/report] [--notebooks FOLDER] [--workers 2]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import pandas as pd

from polls.errors import PollsError
from polls.tables import wide_table

__all__ = ["main"]


def _cmd_datasets(args: argparse.Namespace) -> int:
    from polls.datasets import list_datasets

    cat = list_datasets()
    if args.country:
        cat = cat[cat["country"] == args.country.upper()]
    if args.pollster:
        cat = cat[cat["pollster"] == args.pollster.lower()]
    show = cat[["name", "country", "first_fieldwork", "last_fieldwork", "n_waves", "n_rows",
                "flags"]].copy()
    for col in ("first_fieldwork", "last_fieldwork"):
        show[col] = show[col].dt.strftime("%Y-%m-%d").fillna("undated")
    with pd.option_context("display.max_rows", None, "display.width", 200,
                           "display.max_colwidth", 60):
        print(show.to_string(index=False))
    print(f"\n{len(cat)} datasets. Details: polls info NAME; figures: polls show NAME")
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    from polls.datasets import dataset_info

    info = dataset_info(args.name)
    print(info)
    print()
    print("Cite as:", info.citation())
    return 0


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"--last must be a whole number of at least 1, got "
                                         f"{text!r}")
    return value


def _cmd_show(args: argparse.Namespace) -> int:
    from polls.datasets import dataset_info, load_dataset

    frame = load_dataset(args.name, conflicts=args.conflicts)
    info = dataset_info(args.name)
    note = ""
    if args.last is not None:
        # the latest N dated waves (undated figures have no place in time, so none is "last")
        dated = frame[frame["fieldwork_end"].notna()]
        table = wide_table(dated).tail(args.last)
        if len(dated) < len(frame):
            note = (f" {len(frame) - len(dated)} figure(s) with no fieldwork date are not "
                    "shown with --last.")
    else:
        table = wide_table(frame)
    print(info.title)
    print("Shares in percent as published; n = stated sample size (blank: not stated).")
    with pd.option_context("display.max_rows", None, "display.width", 250,
                           "display.max_columns", None):
        print(table.to_string())
    print(f"\n{len(frame)} figures from {frame['source_url'].nunique()} sources "
          f"(polls info {args.name}).{note}")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from polls.report import build_report

    index = build_report(args.output, args.notebooks, workers=args.workers,
                         progress=lambda line: print(line, flush=True))
    print(f"report written: {index}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="polls", description="Published opinion polls, with honest uncertainty.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("datasets", help="list the bundled datasets")
    p.add_argument("--country", help="RU or RS")
    p.add_argument("--pollster", help="a pollster id, e.g. levada")
    p.set_defaults(func=_cmd_datasets)

    p = sub.add_parser("info", help="metadata, caveats and citation of a dataset")
    p.add_argument("name")
    p.set_defaults(func=_cmd_info)

    p = sub.add_parser("show", help="a dataset as a table of waves x responses (percent)")
    p.add_argument("name")
    p.add_argument("--last", type=_positive_int, default=None, metavar="N",
                   help="only the last N dated waves")
    p.add_argument("--conflicts", choices=("prefer", "all"), default="prefer",
                   help="'all' shows every source's figure where sources disagree")
    p.set_defaults(func=_cmd_show)

    p = sub.add_parser("report", help="execute the notebooks into an HTML report")
    p.add_argument("--output", default="build/report")
    p.add_argument("--notebooks", default=None,
                   help="folder of notebooks (default: ./notebooks, else those shipped with polls)")
    p.add_argument("--workers", type=int, default=2)
    p.set_defaults(func=_cmd_report)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``polls`` command; returns the exit status (2 for a polls error)."""
    args = _parser().parse_args(argv)
    try:
        return args.func(args)
    except PollsError as err:
        print(f"polls: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
