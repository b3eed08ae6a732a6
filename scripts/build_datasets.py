"""Build the bundled datasets of :mod:`polls` from the curated source files.

Reads ``toplines/russia.csv``, ``toplines/serbia.csv``, ``design/levada_sampling_error.csv``
and ``collection.json`` of the curated data folder (default: ``data/curated/`` in the repository,
imported from a drop by ``scripts/import_curated.py``), and writes one CSV and one JSON metadata
sidecar per series slug, plus ``catalogue.json``, into ``src/polls/datasets/data/``.

What it does to the source rows, and nothing more:

* keeps every figure, date, source address, ``source_kind`` and flag exactly as curated (the CSV
  keeps the percentage text as printed; the loader turns it into a proportion; the ``flags``
  column is named ``row_flags``);
* replaces the pollster's long name with a short id (the long names go into the metadata);
* drops the curator's free-text remarks (the metadata says in the package's own words what matters:
  conflicts, caveats, sources);
* places a month-only row in the day-dated wave of the same series, question and month, when
  there is exactly one (columns ``wave_start``, ``wave_end``; the loader shows those days and
  the flag ``wave_days``), so that each wave is one row;
* marks, for every wave and response reported by more than one row, which row the loader prefers
  in a ``preferred`` column (the rules are in ``polls/datasets/_waves.py``), and lists the
  alternatives in the metadata with the reason for the choice;
* lists, in the metadata, rows flagged ``conflict`` that could not be matched to another source's
  row for the same wave (undated rows, or rows the sources date differently): they stay in the
  default load, side by side with the rows they conflict with.

Usage::

    python scripts/build_datasets.py [--source DIR] [--check]

``--check`` rebuilds in memory and fails if the committed files differ.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT / "data" / "curated"
OUT = ROOT / "src" / "polls" / "datasets" / "data"
sys.path.insert(0, str(ROOT / "src"))  # the wave rules are the package's own

from polls.datasets import _parse_dates  # noqa: E402
from polls.datasets._waves import group_ids, place_in_waves, rank, wave_days  # noqa: E402
from polls.schema import FLAGS_COLUMN, SOURCE_KINDS  # noqa: E402

#: Short pollster ids and display names, by the pollster's name in the curated files.
POLLSTERS: dict[str, tuple[str, str]] = {
    "Levada Center": ("levada", "Levada Center"),
    "VCIOM": ("vciom", "VCIOM (Russian Public Opinion Research Center)"),
    "FOM": ("fom", "FOM (Public Opinion Foundation)"),
    "Chronicles (Khroniki)": ("chronicles", "Chronicles (Khroniki)"),
    "Chronicles (Khroniki) with ExtremeScan": ("chronicles", "Chronicles (Khroniki)"),
    "Russian Field": ("russianfield", "Russian Field"),
    "Crta (CRTA)": ("crta", "Crta"),
    "Novi treći put (New Third Way)": ("ntp", "New Third Way (Novi treći put)"),
    "NSPM (Nova srpska politička misao)": ("nspm", "NSPM (Nova srpska politička misao)"),
    "Demostat": ("demostat", "Demostat"),
    "Institute for European Affairs (IEA)": ("iea", "Institute for European Affairs"),
    "Institute for European Affairs (IEA) / Ninamedia": (
        "iea", "Institute for European Affairs / Ninamedia"),
    "Institute for European Affairs (IEA) / Smart Plus Research": (
        "iea", "Institute for European Affairs / Smart Plus Research"),
    "Ministry of European Integration (MEI) / European Integration Office": (
        "mei", "Ministry of European Integration of Serbia"),
    "CeSID (Centre for Free Elections and Democracy)": (
        "cesid", "CeSID (Centre for Free Elections and Democracy)"),
    "BCBP (Belgrade Centre for Security Policy)": ("bcbp", "Belgrade Centre for Security Policy"),
    "BCBP (Belgrade Centre for Security Policy), fieldwork CeSID": (
        "bcbp", "Belgrade Centre for Security Policy (fieldwork by CeSID)"),
    "Sprint Insight": ("sprint", "Sprint Insight"),
    "Ipsos Strategic Marketing": ("ipsos", "Ipsos Strategic Marketing"),
    "IRI (International Republican Institute)": ("iri", "International Republican Institute"),
    "IRI (International Republican Institute), fieldwork Ipsos": (
        "iri", "International Republican Institute (fieldwork by Ipsos)"),
    "ISAC Fund (Centre for International and Security Affairs)": (
        "isac", "ISAC Fund (Centre for International and Security Affairs)"),
    "Lidington Research": ("lidington", "Lidington Research"),
    "Regional Cooperation Council (Balkan Barometer)": (
        "rcc", "Regional Cooperation Council (Balkan Barometer)"),
    "Faktor plus": ("faktorplus", "Faktor plus"),
    "BIRODI (Bureau for Social Research)": ("birodi", "BIRODI (Bureau for Social Research)"),
    "Valicon": ("valicon", "Valicon"),
    "Centar savremene politike (Savremena politika portal)": (
        "savpol", "Centre for Contemporary Politics (Savremena politika)"),
    "IMPP / IDN (Institute of International Politics and Economics / Institute of Social "
    "Sciences)": (
        "impp-idn",
        "Institute of International Politics and Economics / Institute of Social Sciences"),
    "TNS Medium Gallup (for the EU Delegation to Serbia)": (
        "tnsmg", "TNS Medium Gallup (for the EU Delegation to Serbia)"),
    "Ninamedia (for the EU Delegation to Serbia)": (
        "ninamedia", "Ninamedia (for the EU Delegation to Serbia)"),
}

#: Response orders where the order of first appearance would read badly.
RESPONSE_ORDER: dict[str, list[str]] = {
    "levada-war-support": [
        "definitely support", "rather support", "support (total)", "rather not support",
        "definitely do not support", "do not support (total)", "hard to say"],
    "levada-peace-talks": [
        "definitely start peace negotiations", "rather start peace negotiations",
        "should start peace negotiations", "rather continue military actions",
        "definitely continue military actions", "should continue military actions", "hard to say"],
    "levada-war-attention": [
        "very closely", "quite closely", "closely (total)", "without much attention",
        "do not follow at all", "have not heard anything about it"],
    "levada-putin-approval": ["approve", "disapprove", "no answer"],
    "levada-country-direction": ["right direction", "wrong path", "hard to say"],
    "levada-war-concern": ["very worried", "rather worried", "worried (total)"],
    "levada-mobilization-second-wave-expected": [
        "definitely will", "rather will", "will be announced (total)", "will not (total)"],
    "levada-attitude-usa": ["good", "bad"],
    "levada-attitude-eu": ["good", "bad"],
    "levada-attitude-ukraine": ["good", "bad"],
    "levada-attitude-china": ["good", "bad"],
    "fom-putin-job-rating": ["rather well", "rather badly", "hard to say"],
    "fom-putin-trust": ["rather trust", "rather do not trust", "hard to say"],
    "vciom-putin-approval": ["approve", "disapprove"],
    "vciom-putin-trust": ["trust", "do not trust"],
    "nspm-eu-support-graded": [
        "fully support", "mostly support", "support total (fully + mostly)", "mostly oppose",
        "fully oppose", "oppose total (fully + mostly)"],
}

#: Responses that are published sums of other responses of the same question.
NET_MARKERS = re.compile(r"\(total\)|^support total|^oppose total|\(fully \+ mostly\)")
#: Further net responses: published sums that are not marked as totals in their wording.
NETS: dict[str, tuple[str, ...]] = {
    "levada-peace-talks": ("should start peace negotiations", "should continue military actions"),
}
#: Answers that mean "no substantive answer"; listed last when no explicit order is given.
UNDECIDED = re.compile(
    r"hard to say|don't know|do not know|no answer|no stance|no opinion|undecided|unsure|"
    r"refused|cannot rate|uncertain|would not vote|would abstain|not sure", re.IGNORECASE)

#: Series whose respondents could give several answers, or whose published categories overlap
#: (aggregates of a graded scale): their shares may sum past 100%. Questions marked "(multiple
#: answers)" in the curated wording are added automatically.
MULTIPLE_RESPONSE = {"levada-mobilization-feelings", "crta-strategic-direction",
                     "isac-strategic-partner", "russianfield-breakoffs",
                     "iea-russia-usa-relations-priority"}
OVERLAPPING = {
    "crta-strategic-direction": "The published categories overlap (they aggregate a graded "
    "scale), so the shares are not exclusive and do not sum to 100%.",
    "isac-strategic-partner": "The published shares sum past 100% (respondents could evidently "
    "name several partners): they are not exclusive answers.",
    "russianfield-breakoffs": "The two figures are shares of break-offs with overlapping "
    "definitions (at the first three substantive questions; right after the war-support "
    "question), not exclusive answers.",
    "iea-russia-usa-relations-priority": "The three published shares sum to 102.2%, more than "
    "rounding allows; they are kept as printed (the source does not say why).",
}

LEVADA_DESIGN_URL = "https://www.levada.ru/en/2022/02/18/events-of-the-month-4/"

#: The usual design as each pollster describes it (never copied onto rows that do not state it).
USUAL_DESIGN: dict[str, dict] = {
    "levada": {
        "usual_sample_size": 1600,
        "description": (
            "Levada Center's monthly omnibus: about 1,600 adults aged 18 and over, interviewed "
            "face to face at home in 137 localities of 50 regions (as Levada's releases describe "
            "it). Levada states a maximum sampling error at 95% of 3.4 points for a share near "
            "50% at this sample size (see polls.stated_margins('levada'))."),
        "source_url": LEVADA_DESIGN_URL,
    },
    "vciom": {
        "usual_sample_size": 1600,
        "description": (
            "VCIOM's weekly telephone survey; the releases in this dataset that state a sample "
            "size give 1,600 respondents by telephone."),
        "source_url": None,
    },
    "fom": {
        "usual_sample_size": 1500,
        "description": (
            "FOM's weekly FOMnibus: face-to-face interviews at the place of residence; the "
            "releases in this dataset that state a sample size give 1,500 respondents."),
        "source_url": None,
    },
}

SERBIA_MISATTRIBUTION = (
    "Several figures widely attributed in 2022 to a July 2022 Crta poll (two-thirds 'closer to "
    "Russia', 40% for ending EU membership talks) are attributed by other reports to a New Third "
    "Way poll fielded 13-19 June 2022 (online panel, n = 1,285); no Crta source for them was "
    "found. A 'three-quarters blame NATO expansion' figure has no pollster source in this "
    "material; New Third Way's own figure for NATO expansion as the main cause is 41%.")

CAVEATS: dict[str, list[str]] = {
    "levada-putin-approval": [
        "The question covered Putin as Prime Minister in 1999-2000 and 2008-2012.",
        "Levada polled by telephone instead of face to face in April and July 2020 (possibly also "
        "May and June 2020) because of the COVID-19 lockdown; those months are not comparable "
        "in mode.",
        "Most monthly figures come from two public compilations of Levada's indicator tables "
        "(flag 'secondary'), checked against 80 figures from primary releases with no "
        "disagreement.",
    ],
    "levada-country-direction": [
        "Levada polled by telephone instead of face to face in April and July 2020 (possibly also "
        "May and June 2020).",
        "Most monthly figures come from public compilations of Levada's indicator tables (flag "
        "'secondary').",
    ],
    "levada-war-support": [
        "The question names 'the actions of the Russian armed forces in Ukraine'; answering it to "
        "a stranger may carry risk, which can inflate support (see the list-experiment tools).",
        "Not every month is published; missing months stay missing.",
        "'support (total)' and 'do not support (total)' are sums published by the source, not "
        "separate answers.",
    ],
    "levada-peace-talks": [
        "Some waves publish only the two totals, others the definitely/rather split.",
        "For December 2025 two sources give different figures for 'should continue military "
        "actions'; both rows are kept (conflicts='all').",
    ],
    "fom-putin-job-rating": [
        "FOM asks whether Putin is doing his job well or badly: this is not Levada's 'approve' "
        "question, so levels are not directly comparable.",
    ],
    "fom-putin-trust": [
        "FOM's trust item is a different question from approval.",
    ],
    "vciom-putin-approval": [
        "VCIOM's question ('Do you generally approve or disapprove of the President's "
        "activities?') and mode (telephone) differ from Levada's; levels are not directly "
        "comparable.",
        "Many VCIOM figures are dated only by the day the weekly reading refers to ('as of').",
    ],
    "vciom-putin-trust": [
        "VCIOM's trust item is asked as a direct question ('do you trust...'); it is not an "
        "approval rating.",
    ],
    "ntp-closer-to": [SERBIA_MISATTRIBUTION],
    "ntp-eu-talks": [SERBIA_MISATTRIBUTION],
    "ntp-war-cause": [SERBIA_MISATTRIBUTION],
}

PHONE_MODE = (
    "A telephone survey of random mobile numbers: the interviewer reads 'hard to say' and "
    "'do not want to answer' aloud, so more people choose them than in Levada's face-to-face "
    "interviews, where no refusal option is offered. Its levels are not comparable with "
    "Levada's as they stand.")
PHONE_COOPERATION = (
    "Wartime telephone samples have very low cooperation: Russian Field's completed interviews "
    "were 14% of calls in January 2024 (about 6 refusals per completed interview; 17-18 in March "
    "2022), and a quarter of early break-offs came right after the war-support question "
    "(see russianfield-response-rate and russianfield-breakoffs).")
COMPOSITE = (
    "A composite published by the project itself, built by its own definition from several "
    "questions: compare it only within this pollster, never with another project's index.")
MOSTLY_MEDIA = (
    "Most figures come from media reports of the project's results (source_kind 'media'): the "
    "project's own pages were rarely found.")
for slug in ("chronicles-war-support", "chronicles-withdrawal", "chronicles-budget-priority",
             "chronicles-peace-deal", "chronicles-mobilization-support"):
    CAVEATS[slug] = [PHONE_MODE, MOSTLY_MEDIA]
CAVEATS["chronicles-war-support"].append(
    "The wording changed after the first waves ('military actions' became 'military "
    "operation').")
CAVEATS["chronicles-core-supporters"] = [COMPOSITE, PHONE_MODE]
CAVEATS["russianfield-segments"] = [COMPOSITE, PHONE_COOPERATION]
for slug in ("russianfield-war-support", "russianfield-peace-talks", "russianfield-peace-deal",
             "russianfield-reverse-decision"):
    CAVEATS[slug] = [PHONE_COOPERATION, "A telephone (CATI) survey: not comparable in mode with "
                     "Levada's face-to-face interviews.", MOSTLY_MEDIA]
for slug in ("russianfield-response-rate", "russianfield-breakoffs"):
    CAVEATS[slug] = ["Fieldwork paradata published with the survey, not an opinion question: "
                     "shares of calls or of interviews, not of respondents' answers.",
                     PHONE_COOPERATION]

GENERAL_CAVEATS = {
    "partial": "Only some response options are published for some waves; an unpublished "
    "option is missing, never zero.",
    "secondary": "Some figures come from compilations or media relays (flag 'secondary', "
    "column source_kind), not the pollster's own release.",
    "undated": "Some figures have no fieldwork date (flag 'undated'); they carry the "
    "publication date where known.",
    "inferred": "For some rows the month, year or another detail was inferred from context "
    "(flag 'date_or_detail_inferred').",
    "end_only": "Some figures give only the end of fieldwork (flag 'end_only').",
    "wave_days": "Some sources give only the month of a wave that another source dates to the "
    "day: those rows show that wave's days (flag 'wave_days'), so each wave is one row.",
    "conflict": "Sources disagree for some waves (flag 'conflict'): load_dataset prefers the "
    "pollster's own release, then a compilation, then a media relay (then the day-dated row); "
    "where sources agree it keeps the day-dated row; conflicts='all' returns every source's row "
    "(see .conflicts for each choice and its reason).",
    "unmatched": "Some rows flagged 'conflict' could not be matched to the row they conflict "
    "with (no fieldwork date, dated differently by the sources, or filed under another "
    "question): they stay in the default load as separate entries (see .unmatched_conflicts).",
}

SOURCE_COLUMNS = ["row_id", "pollster", "country", "series", "question", "fieldwork_start",
                  "fieldwork_end", "published", "sample_size", "population", "mode", "response",
                  "share", "source_url", "source_kind", "flags"]
#: Columns of a bundled CSV: the source row (``flags`` named ``row_flags``), the days of the
#: wave a month-only row belongs to, and whether the loader prefers the row.
OUT_COLUMNS = [*SOURCE_COLUMNS[:-1], "row_flags", "wave_start", "wave_end", "preferred"]


def typed(rows: pd.DataFrame) -> pd.DataFrame:
    """The curated text rows with dates as the loader reads them (for the wave rules)."""
    dates = _parse_dates(rows["fieldwork_start"], rows["fieldwork_end"], rows["published"])
    return pd.DataFrame({
        "row_id": rows["row_id"], "series": rows["series"], "question": rows["question"],
        "response": rows["response"], **dates, "share": rows["share"].astype(float),
        "source_url": rows["source_url"], "source_kind": rows["source_kind"],
        FLAGS_COLUMN: rows["flags"]}, index=rows.index)


def response_order(slug: str, responses: list[str]) -> list[str]:
    """The response order for a series: explicit where given, else first appearance with
    non-substantive answers last."""
    seen = list(dict.fromkeys(responses))
    if slug in RESPONSE_ORDER:
        order = [r for r in RESPONSE_ORDER[slug] if r in seen]
        missing = [r for r in seen if r not in order]
        if missing:
            raise SystemExit(f"{slug}: responses {missing} are not in RESPONSE_ORDER")
        return order
    return [r for r in seen if not UNDECIDED.search(r)] + [r for r in seen if UNDECIDED.search(r)]


def read_source(source: Path) -> pd.DataFrame:
    """Both toplines files, checked: known pollsters and source kinds, unique row ids."""
    rows = pd.concat([pd.read_csv(source / "toplines" / name, dtype=str, keep_default_na=False)
                      for name in ("russia.csv", "serbia.csv")], ignore_index=True)
    rows = rows[SOURCE_COLUMNS]
    unknown = sorted(set(rows["pollster"]) - set(POLLSTERS))
    if unknown:
        raise SystemExit(f"unknown pollster names (add them to POLLSTERS): {unknown}")
    kinds = sorted(set(rows["source_kind"]) - (set(SOURCE_KINDS) - {"user"}))
    if kinds:
        raise SystemExit(f"unknown source_kind values: {kinds}")
    if not rows["row_id"].is_unique:
        raise SystemExit("row_id is not unique")
    return rows


def choose(rows: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, list[dict]]]:
    """Place rows in their waves, mark the preferred row of each group, document each choice."""
    work = typed(rows)
    days = wave_days(work)
    placed = place_in_waves(work)
    rows = rows.assign(
        wave_start=days["wave_start"].dt.strftime("%Y-%m-%d").fillna(""),
        wave_end=days["wave_end"].dt.strftime("%Y-%m-%d").fillna(""),
        group=group_ids(placed), preferred=True, placed_flags=placed[FLAGS_COLUMN])
    conflicts: dict[str, list[dict]] = {}
    for _, grp in placed.groupby(rows["group"], sort=False):
        if len(grp) < 2:
            continue
        ranked, reason = rank(grp)
        rows.loc[ranked[1:], "preferred"] = False
        best = rows.loc[ranked[0]]
        conflicts.setdefault(best["series"], []).append({
            "response": best["response"],
            "fieldwork_start": best["fieldwork_start"] or None,
            "fieldwork_end": best["fieldwork_end"] or None,
            "preferred_row": best["row_id"],
            "preferred_share": best["share"],
            "preferred_source": best["source_url"],
            "preferred_source_kind": best["source_kind"],
            "reason": reason,
            "values_differ": bool(grp["share"].nunique() > 1),
            "alternatives": [
                {"row_id": rows.loc[i, "row_id"], "share": rows.loc[i, "share"],
                 "source_url": rows.loc[i, "source_url"],
                 "source_kind": rows.loc[i, "source_kind"],
                 "fieldwork_start": rows.loc[i, "fieldwork_start"] or None,
                 "fieldwork_end": rows.loc[i, "fieldwork_end"] or None} for i in ranked[1:]],
        })
    return rows, conflicts


def series_caveats(slug: str, grp: pd.DataFrame, flag_counts: dict[str, int], group_size,
                   conflicts: list[dict], unmatched: list, order: list[str]) -> list[str]:
    """The caveats of one series: its own, then those its flags and conflicts call for."""
    caveats = list(CAVEATS.get(slug, []))
    if slug in OVERLAPPING:
        caveats.append(OVERLAPPING[slug])
    for flag, key in (("secondary", "secondary"), ("undated", "undated"),
                      ("date_or_detail_inferred", "inferred"), ("end_only", "end_only"),
                      ("wave_days", "wave_days")):
        if flag_counts.get(flag):
            caveats.append(GENERAL_CAVEATS[key])
    flagged = grp["flags"].str.contains("conflict")
    if (flagged & (group_size > 1)).any() or any(c["values_differ"] for c in conflicts):
        caveats.append(GENERAL_CAVEATS["conflict"])
    if unmatched:
        caveats.append(GENERAL_CAVEATS["unmatched"])
    preferred = grp.loc[grp["preferred"]]
    per_wave = preferred.groupby(["wave_key"])["response"].nunique()
    if len(order) > 1 and (per_wave < len(order)).any():
        caveats.append(GENERAL_CAVEATS["partial"])
    return caveats


def build(source: Path) -> dict[str, str]:
    """Return {file name: text} for every file of the bundled datasets."""
    rows, conflicts_by_series = choose(read_source(source))
    collection = json.loads((source / "collection.json").read_text(encoding="utf-8")) \
        if (source / "collection.json").exists() else {}
    as_of = collection.get("data_as_of")
    dated = (rows["fieldwork_start"] != "") | (rows["fieldwork_end"] != "")
    rows["wave_key"] = np.where(
        rows["wave_start"] != "", rows["wave_start"] + "|" + rows["wave_end"],
        np.where(dated, rows["fieldwork_start"] + "|" + rows["fieldwork_end"],
                 "undated|" + rows["published"] + "|" + rows["source_url"]))

    design = pd.read_csv(source / "design" / "levada_sampling_error.csv", dtype=str,
                         keep_default_na=False)
    files: dict[str, str] = {}
    buf = io.StringIO()
    design[["share_level", "max_error_pct", "sample_size", "source_url"]].to_csv(
        buf, index=False, lineterminator="\n")
    files["levada-sampling-error.csv"] = buf.getvalue()
    files["catalogue.json"] = json.dumps(
        {"kind": "catalogue", "data_as_of": as_of, "note": collection.get("note"),
         "n_datasets": int(rows["series"].nunique()), "n_rows": len(rows),
         "last_fieldwork": max(_dates_of(rows), key=_late)},
        indent=1, ensure_ascii=False) + "\n"

    for slug, grp in rows.groupby("series", sort=True):
        pollster_names = list(dict.fromkeys(grp["pollster"]))
        ids = {POLLSTERS[p][0] for p in pollster_names}
        if len(ids) != 1:
            raise SystemExit(f"{slug}: several pollsters {sorted(ids)}")
        pid = ids.pop()
        out = grp[SOURCE_COLUMNS + ["wave_start", "wave_end", "preferred"]].rename(
            columns={"flags": "row_flags"})[OUT_COLUMNS]
        out["pollster"] = pid
        order = response_order(slug, grp["response"].tolist())
        buf = io.StringIO()
        out.to_csv(buf, index=False, lineterminator="\n")
        files[f"{slug}.csv"] = buf.getvalue()

        flags = grp["placed_flags"].str.split(";").explode()
        flag_counts = {f: int(c) for f, c in flags[flags != ""].value_counts().sort_index().items()}
        kinds = grp["source_kind"].value_counts()
        kind_counts = {k: int(kinds[k]) for k in SOURCE_KINDS if k in kinds}
        preferred = grp.loc[grp["preferred"]]
        group_size = grp["group"].map(rows["group"].value_counts())
        lone = grp[grp["flags"].str.contains("conflict") & (group_size == 1)]
        unmatched = [{"row_id": r["row_id"], "response": r["response"],
                      "fieldwork_start": r["fieldwork_start"] or None,
                      "fieldwork_end": r["fieldwork_end"] or None,
                      "published": r["published"] or None, "share": r["share"],
                      "source_url": r["source_url"]} for _, r in lone.iterrows()]
        conflicts = conflicts_by_series.get(slug, [])
        questions = list(dict.fromkeys(grp["question"]))
        display = POLLSTERS[pollster_names[0]][1]
        usual = USUAL_DESIGN.get(pid, {})
        dates = _dates_of(grp)
        meta = {
            "kind": "toplines",
            "name": slug,
            "title": f"{display}: {questions[0]}",
            "pollster": pid,
            "pollster_name": display,
            "pollster_names_in_sources": pollster_names,
            "country": grp["country"].iloc[0],
            "question": questions[0],
            "question_variants": questions[1:],
            "question_original": None,
            "response_order": order,
            "net_responses": [r for r in order if NET_MARKERS.search(r)
                              or r in NETS.get(slug, ())],
            "multiple_response": slug in MULTIPLE_RESPONSE
            or any("(multiple answers)" in q for q in questions),
            "share_scale": "percent",
            "first_fieldwork": min(dates, key=_early, default=None),
            "last_fieldwork": max(dates, key=_late, default=None),
            "data_as_of": as_of,
            "n_waves": int(preferred["wave_key"].nunique()),
            "n_rows": len(grp),
            "populations": sorted(set(grp["population"]) - {""}),
            "modes": sorted(set(grp["mode"]) - {""}),
            "usual_sample_size": usual.get("usual_sample_size"),
            "usual_design": usual.get("description"),
            "usual_design_source": usual.get("source_url"),
            "flags": flag_counts,
            "source_kinds": kind_counts,
            "conflicts": conflicts,
            "unmatched_conflicts": unmatched,
            "sources": [{"url": u, "source_kind": k, "rows": list(ids_)} for (u, k), ids_ in
                        grp.groupby(["source_url", "source_kind"], sort=False)["row_id"]],
            "caveats": series_caveats(slug, grp, flag_counts, group_size, conflicts,
                                      unmatched, order),
        }
        files[f"{slug}.json"] = json.dumps(meta, indent=1, ensure_ascii=False) + "\n"
    return files


def _dates_of(rows: pd.DataFrame) -> list[str]:
    return [t for t in (rows["fieldwork_start"].tolist() + rows["fieldwork_end"].tolist()) if t]


def _early(text: str) -> str:
    """Sort key: a month-only date starts before every day of its month."""
    return text if len(text) == 10 else text + "-00"


def _late(text: str) -> str:
    """Sort key: a month-only date ends after every day of its month."""
    return text if len(text) == 10 else text + "-99"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE,
                        help="the curated data folder (with toplines/ and design/)")
    parser.add_argument("--check", action="store_true",
                        help="fail if the committed files differ from a fresh build")
    args = parser.parse_args(argv)
    files = build(args.source)
    if args.check:
        stale = [n for n, text in files.items()
                 if not (OUT / n).exists() or (OUT / n).read_text(encoding="utf-8") != text]
        extra = sorted({p.name for p in OUT.glob("*.*")} - set(files)
                       - {p.name for p in OUT.glob("list-experiments*")})
        if stale or extra:
            print(f"out of date: {stale}; not built by this script: {extra}", file=sys.stderr)
            return 1
        print(f"{len(files)} files up to date")
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.*"):
        if old.name not in files and old.suffix in {".csv", ".json"} and not old.name.startswith(
                "list-experiments"):
            old.unlink()
    for name, text in files.items():
        (OUT / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(files)} files to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
