"""The ``polls`` command: the dataset catalogue, one series as a table, and the notebooks report.

Usage::

    polls datasets [--search WORDS] [--country RU|RS] [--pollster ID]
    polls info NAME
    polls show NAME [--last N] [--conflicts all]
    polls report [--output build/report] [--notebooks FOLDER] [--workers 2]

Exit status: 0 on success; 2 for every error the command can explain (bad options, an unknown
dataset, a bad input or output path, a failed notebook), reported as one ``polls: ...`` line on
stderr (a failed notebook adds its cell's error below it) without a traceback; 130 when
interrupted. When the reader of the output goes away (``polls datasets | head -1``) the command
stops quietly.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from polls.errors import InvalidArgumentError, PollsError
from polls.tables import wide_table

__all__ = ["main"]


def _cmd_datasets(args: argparse.Namespace) -> int:
    from polls.datasets import data_as_of, list_datasets

    cat = list_datasets(search=args.search)
    if args.country:
        cat = cat[cat["country"] == args.country.upper()]
    if args.pollster:
        cat = cat[cat["pollster"] == args.pollster.lower()]
    show = cat[["name", "origin", "country", "first_fieldwork", "last_fieldwork", "n_waves",
                "n_rows", "source_kinds"]].copy()
    for col in ("first_fieldwork", "last_fieldwork"):
        show[col] = show[col].dt.strftime("%Y-%m-%d").fillna("undated")
    if (show["origin"] == "bundled").all():
        show = show.drop(columns="origin")
    with pd.option_context("display.max_rows", None, "display.width", 200,
                           "display.max_colwidth", 60):
        print(show.to_string(index=False) if len(show) else "(no dataset matches)")
    latest = cat["last_fieldwork"].max()
    latest = "none" if pd.isna(latest) else f"{latest:%Y-%m-%d}"
    print(f"\n{len(cat)} datasets. Bundled data as of {data_as_of():%Y-%m-%d} (the date the "
          f"collection was last checked); latest fieldwork listed: {latest}.")
    print("Details: polls info NAME; figures: polls show NAME")
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    from polls.datasets import dataset_info
    from polls.schema import FLAGS, SOURCE_KINDS

    info = dataset_info(args.name)
    print(info)
    if info.source_kinds:
        print("\nWhere the rows come from (column source_kind):")
        for kind, count in info.source_kinds.items():
            print(f"  {kind:<12} {count:>5}  {SOURCE_KINDS.get(kind, '')}")
    if info.flags:
        print("\nRow flags (column row_flags):")
        for flag, count in info.flags.items():
            print(f"  {flag:<24} {count:>5}  {FLAGS.get(flag, '')}")
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
    kinds = frame["source_kind"].value_counts()
    kinds = ", ".join(f"{k} {int(v)}" for k, v in kinds[kinds > 0].items())
    print(f"\n{len(frame)} figures from {frame['source_url'].nunique()} sources "
          f"(by kind of source: {kinds}; polls info {args.name}).{note}")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    output = Path(args.output)
    if output.exists() and not output.is_dir():
        raise InvalidArgumentError(
            f"--output {args.output!r} is a file; the report needs a folder (it is created if "
            "missing)")
    try:
        from polls.report import build_report

        index = build_report(output, args.notebooks, workers=args.workers,
                             progress=lambda line: print(line, flush=True))
    except ModuleNotFoundError as err:
        raise PollsError(
            f"the report needs the notebooks extra (missing module {err.name!r}): "
            "pip install 'polls[notebooks]'") from None
    print(f"report written: {index}")
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse with each usage error on one line, ``polls: ...``, and exit status 2."""

    def error(self, message: str):
        command = self.prog.removeprefix("polls").strip()
        where = f"{command}: " if command else ""
        self.exit(2, f"polls: {where}{message} (see 'polls {command + ' ' if command else ''}"
                     "--help')\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="polls", description="Published opinion polls, with honest uncertainty.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("datasets", help="list (and search) the bundled and your own datasets")
    p.add_argument("--search", metavar="WORDS",
                   help="words that must all match name, title, question, pollster or country "
                        "(case and diacritics ignored), e.g. 'eu referendum'")
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


def _fail(message: str) -> int:
    print(f"polls: {message}", file=sys.stderr)
    return 2


def _stdout_gone() -> int:
    """The reader of stdout went away: send what is left to devnull and stop quietly (the way
    the Python documentation describes for SIGPIPE), with the status Python gives EPIPE."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):  # stdout is not a file (e.g. captured)
        pass
    return 1


def _tolerate_narrow_encoding(stream) -> None:
    """On a terminal whose encoding cannot show every letter (Cyrillic, Serbian Latin), print
    the missing ones as visible escapes (``\\u010d``) rather than stop with a traceback."""
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
    if encoding and not encoding.startswith("utf") and hasattr(stream, "reconfigure"):
        try:
            stream.reconfigure(errors="backslashreplace")
        except (AttributeError, ValueError, OSError):  # pragma: no cover - not a text stream
            pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``polls`` command and return its exit status.

    0 on success; 2 for every error the command can explain, printed as one ``polls: ...``
    line on stderr (argparse's usage errors exit 2 the same way); 130 when interrupted; 1 when
    stdout is closed by its reader. Anything else is a bug and keeps its traceback.
    """
    args = _parser().parse_args(argv)
    _tolerate_narrow_encoding(sys.stdout)
    try:
        status = args.func(args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
        return status
    except BrokenPipeError:
        return _stdout_gone()
    except PollsError as err:
        return _fail(str(err))
    except OSError as err:  # a path the user gave cannot be read or written
        where = f": {err.filename}" if err.filename else ""
        return _fail(f"{err.strerror or err}{where}")
    except KeyboardInterrupt:
        print("polls: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
