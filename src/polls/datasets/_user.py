"""Users' own datasets: :func:`save_dataset` and the user data folder.

A user dataset is a canonical toplines CSV (written by :func:`polls.write_toplines`, with its
sidecar) plus ``<name>.json`` saying what it is: its title, when it was saved, and whether it
extends a bundled dataset of the same name. An extension keeps only the user's rows
(``source_kind`` ``"user"``); loading it adds them to the bundled rows of the installed package
with :func:`polls.add_waves`, so a newer package's figures are never hidden by an old copy.

The folder is ``$POLLS_DATA`` when that is set, else the platform's user data directory
(``platformdirs.user_data_dir("polls")``), with the datasets in its ``datasets/`` subfolder.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path
from typing import Any

import pandas as pd

from polls.errors import InvalidArgumentError, UnknownDatasetError

__all__ = ["save_dataset", "user_data_dir"]

_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")


def user_data_dir() -> Path:
    """The folder of the user's datasets: ``$POLLS_DATA``, else the platform's user data folder.

    Returns
    -------
    pathlib.Path
        The folder (not created until :func:`save_dataset` writes to it).

    Examples
    --------
    >>> import os, polls
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {"POLLS_DATA": "polls-example"}):
    ...     print(polls.user_data_dir().as_posix())
    polls-example
    """
    env = os.environ.get("POLLS_DATA")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("polls", appauthor=False))


def _folder() -> Path:
    return user_data_dir() / "datasets"


def user_catalogue() -> dict[str, dict[str, Any]]:
    """Metadata of every user dataset, keyed by name (read on each call: the folder changes)."""
    folder = _folder()
    if not folder.is_dir():
        return {}
    out = {}
    for path in sorted(folder.glob("*.json")):
        if path.name.endswith(".csv.json"):
            continue
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(meta, dict) and meta.get("kind") == "user-toplines":
            out[meta["name"]] = {**meta, "path": str(path.with_suffix(".csv"))}
    return out


def read_user_rows(name: str) -> pd.DataFrame:
    """The saved rows of a user dataset, with the ``attrs`` saved with them."""
    from polls.io import read_toplines

    meta = user_catalogue().get(name)
    if meta is None:
        raise UnknownDatasetError(f"{name!r} is not a user dataset in {_folder()}")
    frame = read_toplines(meta["path"], scale="proportion")
    frame.attrs = {"dataset": name, "title": meta.get("title"),
                   "usual_sample_size": meta.get("usual_sample_size"),
                   "net_responses": list(meta.get("net_responses", [])),
                   "multiple_response": bool(meta.get("multiple_response", False))}
    return frame


def save_dataset(frame: pd.DataFrame, name: str, *, title: str | None = None,
                 overwrite: bool = False) -> Path:
    """Save a toplines frame as a user dataset, loadable by name with :func:`polls.load_dataset`.

    With the name of a bundled dataset the saved dataset extends it: only the user's rows
    (``source_kind`` ``"user"``, from :func:`polls.add_waves`) are written, and loading the name
    gives the bundled rows plus these.

    Parameters
    ----------
    frame : pandas.DataFrame
        A toplines frame (checked with :func:`polls.validate_toplines`); every row needs a
        ``source_url``.
    name : str
        Lower-case letters, digits and dashes, e.g. ``"levada-war-support"`` or ``"my-poll"``.
    title : str, optional
        Default: ``frame.attrs["title"]``, else the name.
    overwrite : bool, default False
        Replace a saved dataset of this name even if rows of it are missing from ``frame``
        (without it, saving over a dataset whose rows are all in ``frame`` is allowed).

    Returns
    -------
    pathlib.Path
        The CSV written (in the ``datasets/`` folder of :func:`polls.user_data_dir`).

    Examples
    --------
    >>> import os, tempfile, pandas as pd, polls
    >>> from unittest import mock
    >>> df = polls.load_dataset("levada-war-support")
    >>> new = pd.DataFrame({"fieldwork_start": "2026-03-19", "fieldwork_end": "2026-03-25",
    ...                     "response": ["support (total)"], "share": [0.74],  # synthetic
    ...                     "source_url": ["https://example.org/synthetic-march-release"]})
    >>> with mock.patch.dict(os.environ, {"POLLS_DATA": tempfile.mkdtemp()}):
    ...     path = polls.save_dataset(polls.add_waves(df, new), "levada-war-support")
    ...     print(len(polls.load_dataset("levada-war-support")) - len(df))
    1
    """
    from polls.datasets import _catalogue
    from polls.io import write_toplines

    if not isinstance(frame, pd.DataFrame):
        raise InvalidArgumentError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InvalidArgumentError(f"name must be lower-case letters, digits and dashes, got "
                                   f"{name!r}")
    extends = name if name in _catalogue() else None
    rows = frame
    if extends:
        if frame.attrs.get("dataset") != name:
            raise InvalidArgumentError(
                f"{name!r} is a bundled dataset: save under its name only a frame loaded from it "
                f"(with rows added by polls.add_waves), or choose another name")
        rows = frame[frame["source_kind"].astype(object).eq("user").to_numpy()]
        if rows.empty:
            raise InvalidArgumentError(f"frame has no rows added with polls.add_waves: nothing "
                                       f"to save beside the bundled {name!r}")
    if "source_url" not in rows.columns or rows["source_url"].isna().any():
        raise InvalidArgumentError("every row needs a source_url (the address that published "
                                   "the figure)")
    old = user_catalogue().get(name)
    if old is not None and not overwrite:
        lost = _missing_rows(read_user_rows(name), rows)
        if lost:
            raise InvalidArgumentError(
                f"the saved {name!r} has {len(lost)} row(s) that frame lacks (e.g. {lost[0]}): "
                f"load it with polls.load_dataset({name!r}) and add to that, or pass "
                "overwrite=True")
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = write_toplines(rows.drop(columns=["preferred"], errors="ignore"), folder / f"{name}.csv")
    attrs = frame.attrs
    meta = {"kind": "user-toplines", "name": name, "extends": extends,
            "title": title or attrs.get("title") or name,
            "saved": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "data_as_of": dt.date.today().isoformat(),
            "n_rows": len(rows),
            "usual_sample_size": _plain(attrs.get("usual_sample_size")),
            "net_responses": [str(r) for r in attrs.get("net_responses", [])],
            "multiple_response": bool(attrs.get("multiple_response", False))}
    (folder / f"{name}.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n",
                                         encoding="utf-8")
    return path


def _missing_rows(saved: pd.DataFrame, rows: pd.DataFrame) -> list[str]:
    """Saved figures (by wave, response, share and source) that ``rows`` does not hold."""
    key = ["fieldwork_start", "fieldwork_end", "published", "response", "share", "source_url"]

    def text(frame: pd.DataFrame) -> pd.Series:
        cells = frame[key].astype(object).map(lambda v: "" if pd.isna(v) else str(v))
        return cells.agg(" | ".join, axis=1)

    have = set(text(rows)) if len(rows) else set()
    return [t for t in text(saved) if t not in have]


def _plain(value: Any) -> Any:
    """A JSON-ready value (numpy integers become ints)."""
    return int(value) if hasattr(value, "__int__") and not isinstance(value, bool | dict) \
        else value
