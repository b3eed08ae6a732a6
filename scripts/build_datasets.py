"""Build the bundled datasets of :mod:`polls` from the curated source files.

Reads ``toplines/russia.csv`` and ``toplines/serbia.csv`` of the curated data folder (default:
``../shared/data`` next to the repository) and ``design/levada_sampling_error.csv``, and writes one
CSV and one JSON metadata sidecar per series slug into ``src/polls/datasets/data/``.

What it does to the source rows, and nothing more:

* keeps every figure, date and source address exactly as published (the CSV keeps the percentage
  text as printed; the loader turns it into a proportion);
* replaces the pollster's long name with a short id (the long names go into the metadata);
* drops the curator's free-text remarks (the metadata says in the package's own words what matters:
  conflicts, caveats, sources);
* marks, for every wave and response reported by more than one source, which row the loader prefers
  (the pollster's own release first) in a ``preferred`` column, and lists the alternatives in the
  metadata with the reason for the choice;
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
from urllib.parse import urlparse

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "data"
OUT = ROOT / "src" / "polls" / "datasets" / "data"

#: Short pollster ids and the domains of each pollster's own releases.
POLLSTERS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # source name: (id, display name, own domains)
    "Levada Center": ("levada", "Levada Center", ("levada.ru",)),
    "VCIOM": ("vciom", "VCIOM (Russian Public Opinion Research Center)", ("wciom.ru", "wciom.com")),
    "FOM": ("fom", "FOM (Public Opinion Foundation)", ("fom.ru",)),
    "Crta (CRTA)": ("crta", "Crta", ("crta.rs",)),
    "Novi treći put (New Third Way)": (
        "ntp", "New Third Way (Novi treći put)", ("novitreciput.rs",)),
    "NSPM (Nova srpska politička misao)": (
        "nspm", "NSPM (Nova srpska politička misao)", ("nspm.rs",)),
    "Demostat": ("demostat", "Demostat", ("demostat.rs",)),
    "Institute for European Affairs (IEA) / Ninamedia": (
        "iea", "Institute for European Affairs / Ninamedia", ("iea.rs",)),
    "Institute for European Affairs (IEA) / Smart Plus Research": (
        "iea", "Institute for European Affairs / Smart Plus Research", ("iea.rs",)),
    "Ministry of European Integration (MEI) / European Integration Office": (
        "mei", "Ministry of European Integration of Serbia", ("mei.gov.rs",)),
    "CeSID (Centre for Free Elections and Democracy)": (
        "cesid", "CeSID (Centre for Free Elections and Democracy)", ("cesid.rs",)),
    "BCBP (Belgrade Centre for Security Policy)": (
        "bcbp", "Belgrade Centre for Security Policy", ("bezbednost.org",)),
    "BCBP (Belgrade Centre for Security Policy), fieldwork CeSID": (
        "bcbp", "Belgrade Centre for Security Policy (fieldwork by CeSID)", ("bezbednost.org",)),
    "Sprint Insight": ("sprint", "Sprint Insight", ()),
    "Ipsos Strategic Marketing": ("ipsos", "Ipsos Strategic Marketing", ("ipsos.com",)),
    "IRI (International Republican Institute)": (
        "iri", "International Republican Institute", ("iri.org",)),
    "IRI (International Republican Institute), fieldwork Ipsos": (
        "iri", "International Republican Institute (fieldwork by Ipsos)", ("iri.org",)),
    "Faktor plus": ("faktorplus", "Faktor plus", ()),
    "BIRODI (Bureau for Social Research)": ("birodi", "BIRODI (Bureau for Social Research)",
                                            ("birodi.rs",)),
    "Valicon": ("valicon", "Valicon", ("valicon.net",)),
    "Centar savremene politike (Savremena politika portal)": (
        "savpol", "Centre for Contemporary Politics (Savremena politika)",
        ("savremenapolitika.rs",)),
    "IMPP / IDN (Institute of International Politics and Economics / Institute of Social "
    "Sciences)": (
        "impp-idn",
        "Institute of International Politics and Economics / Institute of Social Sciences", ()),
    "TNS Medium Gallup (for the EU Delegation to Serbia)": (
        "tnsmg", "TNS Medium Gallup (for the EU Delegation to Serbia)", ()),
    "Ninamedia (for the EU Delegation to Serbia)": (
        "ninamedia", "Ninamedia (for the EU Delegation to Serbia)", ()),
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
MULTIPLE_RESPONSE = {"levada-mobilization-feelings", "crta-strategic-direction"}
OVERLAPPING = {
    "crta-strategic-direction": "The published categories overlap (they aggregate a graded "
    "scale), so the shares are not exclusive and do not sum to 100%.",
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

GENERAL_CAVEATS = {
    "partial": "Only some response options are published for some waves; an unpublished "
    "option is missing, never zero.",
    "secondary": "Some figures come from secondary reports (flag 'secondary'), not the "
    "pollster's own release.",
    "undated": "Some figures have no fieldwork date (flag 'undated'); they carry the "
    "publication date where known.",
    "inferred": "For some rows the month, year or another detail was inferred from context "
    "(flag 'date_or_detail_inferred').",
    "conflict": "Sources disagree for some waves (flag 'conflict'): load_dataset prefers the "
    "pollster's own release, then primary over secondary reports, then day-dated rows; "
    "conflicts='all' returns every source's row (see .conflicts for each choice and its reason).",
    "unmatched": "Some rows flagged 'conflict' could not be matched to the row they conflict "
    "with (no fieldwork date, dated differently by the sources, or filed under another "
    "question): they stay in the default load as separate entries (see .unmatched_conflicts).",
}

SOURCE_COLUMNS = ["row_id", "pollster", "country", "series", "question", "fieldwork_start",
                  "fieldwork_end", "published", "sample_size", "population", "mode", "response",
                  "share", "source_url", "flags"]


def _domain(url: str) -> str:
    host = urlparse(url).netloc.lower()
    return host[4:] if host.startswith("www.") else host


def _month(text: str) -> str:
    return text[:7] if text else ""


def _rank(row: pd.Series, own_domains: tuple[str, ...]) -> tuple:
    """Preference of a source row: own release, then primary, then secondary; day dates first."""
    flags = set(filter(None, row["flags"].split(";")))
    domain = _domain(row["source_url"])
    own = any(domain == d or domain.endswith("." + d) for d in own_domains)
    if own and "secondary" not in flags:
        tier = 0
    elif "secondary" not in flags:
        tier = 1
    else:
        tier = 2
    day_dated = len(row["fieldwork_end"] or row["fieldwork_start"]) == 10
    return (tier, 0 if day_dated else 1, row["row_id"])


def _reason(best: tuple, runner_up: tuple) -> str:
    """Why the first-ranked row was preferred over the second (from their ranks)."""
    if best[0] < runner_up[0]:
        return ("the pollster's own release" if best[0] == 0
                else "a primary report (the alternatives are secondary relays)")
    if best[1] < runner_up[1]:
        return "the same tier of source, and it gives the fieldwork days"
    return ("no ground to choose between equal sources: the first row in the curated order "
            "(compare the alternatives)")


def wave_groups(rows: pd.DataFrame) -> pd.Series:
    """Label rows that report the same wave and response (from different sources).

    Rows match when series, question, response and fieldwork dates are equal. A month-dated
    row flagged ``conflict`` also joins the day-dated wave of the same series and response that
    ends in that month, when there is exactly one. Rows without fieldwork dates match only rows
    with the same publication date and source address (they cannot be placed otherwise).
    """
    key = rows["series"] + "|" + rows["question"] + "|" + rows["response"] + "|"
    dated = (rows["fieldwork_start"] != "") | (rows["fieldwork_end"] != "")
    key = key + rows["fieldwork_start"] + "|" + rows["fieldwork_end"]
    key = key.where(dated, key + "|" + rows["published"] + "|" + rows["source_url"])
    groups = key.copy()
    conflict = rows["flags"].str.contains("conflict")
    month_only = dated & (rows["fieldwork_end"].str.len() != 10) & (
        rows["fieldwork_start"].str.len() != 10)
    for idx in rows.index[conflict & month_only]:
        r = rows.loc[idx]
        month = _month(r["fieldwork_end"] or r["fieldwork_start"])
        cand = rows[(rows["series"] == r["series"]) & (rows["response"] == r["response"])
                    & (rows["question"] == r["question"])
                    & (rows["fieldwork_end"].str.len() == 10)
                    & (rows["fieldwork_end"].str[:7] == month)]
        keys = groups[cand.index].unique()
        if len(keys) == 1:
            groups[idx] = keys[0]
    return groups


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


def build(source: Path) -> dict[str, str]:
    """Return {file name: text} for every file of the bundled datasets."""
    frames = []
    for name in ("russia.csv", "serbia.csv"):
        frame = pd.read_csv(source / "toplines" / name, dtype=str, keep_default_na=False)
        frames.append(frame)
    rows = pd.concat(frames, ignore_index=True)
    unknown = sorted(set(rows["pollster"]) - set(POLLSTERS))
    if unknown:
        raise SystemExit(f"unknown pollster names (add them to POLLSTERS): {unknown}")

    rows["group"] = wave_groups(rows)
    rows["preferred"] = True
    conflicts_by_series: dict[str, list[dict]] = {}
    for _, grp in rows.groupby("group", sort=False):
        if len(grp) < 2:
            continue
        own = POLLSTERS[grp["pollster"].iloc[0]][2]
        ranked = sorted(grp.index, key=lambda i: _rank(rows.loc[i], own))
        rows.loc[ranked[1:], "preferred"] = False
        best = rows.loc[ranked[0]]
        reason = _reason(_rank(best, own), _rank(rows.loc[ranked[1]], own))
        conflicts_by_series.setdefault(best["series"], []).append({
            "response": best["response"],
            "fieldwork_start": best["fieldwork_start"] or None,
            "fieldwork_end": best["fieldwork_end"] or None,
            "preferred_row": best["row_id"],
            "preferred_share": best["share"],
            "preferred_source": best["source_url"],
            "reason": reason,
            "values_differ": bool(grp["share"].nunique() > 1),
            "alternatives": [
                {"row_id": rows.loc[i, "row_id"], "share": rows.loc[i, "share"],
                 "source_url": rows.loc[i, "source_url"]} for i in ranked[1:]],
        })

    design = pd.read_csv(source / "design" / "levada_sampling_error.csv", dtype=str,
                         keep_default_na=False)
    files: dict[str, str] = {}
    buf = io.StringIO()
    design[["share_level", "max_error_pct", "sample_size", "source_url"]].to_csv(
        buf, index=False, lineterminator="\n")
    files["levada-sampling-error.csv"] = buf.getvalue()

    for slug, grp in rows.groupby("series", sort=True):
        pollster_names = list(dict.fromkeys(grp["pollster"]))
        ids = {POLLSTERS[p][0] for p in pollster_names}
        if len(ids) != 1:
            raise SystemExit(f"{slug}: several pollsters {sorted(ids)}")
        pid = ids.pop()
        out = grp[SOURCE_COLUMNS + ["preferred"]].copy()
        out["pollster"] = pid
        order = response_order(slug, grp["response"].tolist())
        buf = io.StringIO()
        out.to_csv(buf, index=False, lineterminator="\n")
        files[f"{slug}.csv"] = buf.getvalue()

        flags = grp["flags"].str.split(";").explode()
        flag_counts = {f: int(c) for f, c in flags[flags != ""].value_counts().sort_index().items()}
        dated = grp[(grp["fieldwork_end"] != "") | (grp["fieldwork_start"] != "")]
        waves = grp.loc[grp["preferred"]].groupby(
            ["fieldwork_start", "fieldwork_end", "published", "source_url"]).ngroups
        sources = (grp.groupby("source_url", sort=False)["row_id"].agg(list)).to_dict()
        nets = [r for r in order if NET_MARKERS.search(r) or r in NETS.get(slug, ())]
        caveats = list(CAVEATS.get(slug, []))
        if slug in OVERLAPPING:
            caveats.append(OVERLAPPING[slug])
        if flag_counts.get("secondary"):
            caveats.append(GENERAL_CAVEATS["secondary"])
        if flag_counts.get("undated"):
            caveats.append(GENERAL_CAVEATS["undated"])
        if flag_counts.get("date_or_detail_inferred"):
            caveats.append(GENERAL_CAVEATS["inferred"])
        group_size = rows.loc[grp.index, "group"].map(rows["group"].value_counts())
        flagged = grp["flags"].str.contains("conflict")
        if (flagged & (group_size > 1)).any() or any(
                c["values_differ"] for c in conflicts_by_series.get(slug, [])):
            caveats.append(GENERAL_CAVEATS["conflict"])
        lone = grp[flagged & (group_size == 1)]
        unmatched = [{"row_id": r["row_id"], "response": r["response"],
                      "fieldwork_start": r["fieldwork_start"] or None,
                      "fieldwork_end": r["fieldwork_end"] or None,
                      "published": r["published"] or None, "share": r["share"],
                      "source_url": r["source_url"]} for _, r in lone.iterrows()]
        if unmatched:
            caveats.append(GENERAL_CAVEATS["unmatched"])
        per_wave = grp.loc[grp["preferred"]].groupby(
            ["fieldwork_start", "fieldwork_end", "published", "source_url"])["response"].nunique()
        if len(order) > 1 and (per_wave < len(order)).any():
            caveats.append(GENERAL_CAVEATS["partial"])
        dates = [t for t in (dated["fieldwork_start"].tolist() + dated["fieldwork_end"].tolist())
                 if t]
        questions = list(dict.fromkeys(grp["question"]))
        display = POLLSTERS[pollster_names[0]][1]
        usual = USUAL_DESIGN.get(pid, {})
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
            "net_responses": nets,
            "multiple_response": slug in MULTIPLE_RESPONSE
            or any("(multiple answers)" in q for q in questions),
            "share_scale": "percent",
            # a month-only date starts before and ends after every day of its month
            "first_fieldwork": min(dates, key=lambda t: t if len(t) == 10 else t + "-00",
                                   default=None),
            "last_fieldwork": max(dates, key=lambda t: t if len(t) == 10 else t + "-99",
                                  default=None),
            "n_waves": int(waves),
            "n_rows": len(grp),
            "populations": sorted(set(grp["population"]) - {""}),
            "modes": sorted(set(grp["mode"]) - {""}),
            "usual_sample_size": usual.get("usual_sample_size"),
            "usual_design": usual.get("description"),
            "usual_design_source": usual.get("source_url"),
            "flags": flag_counts,
            "conflicts": conflicts_by_series.get(slug, []),
            "unmatched_conflicts": unmatched,
            "sources": [{"url": u, "rows": ids_} for u, ids_ in sources.items()],
            "caveats": caveats,
        }
        files[f"{slug}.json"] = json.dumps(meta, indent=1, ensure_ascii=False) + "\n"
    return files


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
