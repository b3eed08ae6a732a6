"""The data sources page, generated from the bundled catalogue (MyST Markdown).

One section per dataset: question wording, pollster, fieldwork dates, waves, how current the
collection is, caveats, how many rows rest on the pollster's own releases, and every source
address. Fields that only some versions of the catalogue carry (``data_as_of``, the
``source_kind`` column, the ``polls.FLAGS`` mapping) are read with ``getattr`` and shown when
present. Only the standard library and :mod:`polls` are imported (no Sphinx).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

#: Country codes of the bundled datasets and the names the page uses for them.
COUNTRIES = {"RU": "Russia", "RS": "Serbia"}

#: What each row flag means, for versions of the package that do not export ``polls.FLAGS``.
_FALLBACK_FLAGS = {
    "secondary": "the figure was taken from a relay of the pollster's release (a data "
                 "compilation or another publication), not from the release itself",
    "conflict": "sources disagree about this wave and response; every source's row is kept",
    "date_or_detail_inferred": "the fieldwork month or year, or another detail, was inferred "
                               "from context rather than printed next to the figure",
    "undated": "the source gave no fieldwork date",
}

_PUNCTUATION = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~$&:])")


def md(text: object) -> str:
    """Plain text made safe for Markdown: punctuation escaped, whitespace collapsed."""
    return _PUNCTUATION.sub(r"\\\1", " ".join(str(text).split()))


def link(url: str) -> str:
    """A Markdown link to ``url`` (escaped text when it cannot be an autolink)."""
    url = str(url).strip()
    if re.fullmatch(r"https?://[^\s<>]+", url):
        return f"<{url}>"
    return md(url)


def anchor(name: str) -> str:
    """The label of a dataset's section (``data-<name>``), for ``{ref}`` links from other pages."""
    return "data-" + re.sub(r"[^a-z0-9-]+", "-", name.lower())


def flag_meanings(polls_module) -> dict[str, str]:
    flags = getattr(polls_module, "FLAGS", None)
    if isinstance(flags, Mapping) and all(isinstance(v, str) for v in flags.values()):
        return dict(flags)
    return dict(_FALLBACK_FLAGS)


def _pollster_rows(polls_module, name: str) -> tuple[int, int] | None:
    """(rows from the pollster's own releases, rows loaded), or None without ``source_kind``."""
    frame = polls_module.load_dataset(name)
    if "source_kind" not in frame.columns:
        return None
    kinds = frame["source_kind"].astype("string")
    return int((kinds == "pollster").sum()), len(frame)


def _get(info, *names: str):
    """The first of ``names`` that ``info`` has (metadata fields differ between versions)."""
    for name in names:
        value = getattr(info, name, None)
        if value is not None:
            return value
    return None


def _when(first: object, last: object) -> str:
    if first and last:
        return f"{md(first)} to {md(last)}"
    return "no fieldwork dates printed"


def dataset_section(polls_module, info, has_source_kind: bool) -> list[str]:
    """The lines of one dataset's section."""
    out = [f"({anchor(info.name)})=", f"### {md(info.name)}", "", f"**{md(info.title)}**", ""]
    facts = [("Question", md(info.question))]
    original = getattr(info, "question_original", None)
    if original:
        facts.append(("Original wording", md(original)))
    for variant in getattr(info, "question_variants", ()) or ():
        facts.append(("Wording variant", md(variant)))
    facts.append(("Pollster", f"{md(info.pollster_name)} (`{info.pollster}`)"))
    facts.append(("Fieldwork", _when(_get(info, "first_fieldwork"), _get(info, "last_fieldwork"))))
    facts.append(("Waves and rows", f"{info.n_waves} waves, {info.n_rows} published figures"))
    as_of = getattr(info, "data_as_of", None)
    if as_of:
        facts.append(("Data as of", md(as_of)))
    if has_source_kind:
        counts = _pollster_rows(polls_module, info.name)
        if counts is not None:
            own, total = counts
            facts.append(("From the pollster's own releases",
                          f"{own} of the {total} rows loaded by default"))
    facts.append(("Responses", ", ".join(md(r) for r in info.response_order)))
    if _get(info, "net_responses"):
        facts.append(("Published sums", ", ".join(md(r) for r in info.net_responses)))
    if _get(info, "populations"):
        facts.append(("Population", "; ".join(md(p) for p in info.populations)))
    if _get(info, "modes"):
        facts.append(("Mode", "; ".join(md(m) for m in info.modes)))
    if _get(info, "usual_design"):
        facts.append(("Usual design", md(info.usual_design)))
    counts = _get(info, "row_flags", "flags")
    if isinstance(counts, Mapping) and counts:
        facts.append(("Row flags", ", ".join(f"`{k}`: {v}" for k, v in counts.items())))
    if _get(info, "conflicts"):
        facts.append(("Conflicts", f"{len(info.conflicts)} wave and response pairs reported "
                                   "differently by several sources (`conflicts=\"all\"` loads "
                                   "every source's row)"))
    out += [f"- **{label}**: {value}" for label, value in facts]
    out.append("")
    if _get(info, "caveats"):
        out += ["Caveats:", ""] + [f"- {md(c)}" for c in info.caveats] + [""]
    sources = list(_get(info, "sources") or ())
    out += [f":::{{dropdown}} Sources ({len(sources)})", ""]
    for source in sources:
        rows = source.get("rows", ())
        out.append(f"- {link(source.get('url', ''))} ({len(rows)} "
                   f"{'row' if len(rows) == 1 else 'rows'})")
    out += ["", ":::", ""]
    return out


def datasets_page(polls_module=None) -> str:
    """The whole data sources page."""
    if polls_module is None:
        import polls as polls_module
    catalogue = polls_module.list_datasets()
    infos = [polls_module.dataset_info(n) for n in catalogue["name"]]
    first = polls_module.load_dataset(infos[0].name) if infos else None
    has_source_kind = first is not None and "source_kind" in first.columns
    total_rows = sum(i.n_rows for i in infos)
    out = [
        "(data-sources)=", "# Data sources", "",
        f"The package bundles {len(infos)} datasets ({total_rows:,} published figures). Each is "
        "one question asked by one pollster over time, named by its series slug: pass the name "
        "to `polls.load_dataset` and `polls.dataset_info`. Every figure is kept exactly as "
        "printed, with the address of the page that printed it in `source_url`; nothing is "
        "interpolated or rounded. This page is generated from the catalogue each time the "
        "documentation is built.",
        "",
    ]
    as_of = {str(getattr(i, "data_as_of", "")) for i in infos} - {"", "None"}
    if as_of:
        out += [f"The collection was last checked on {md(', '.join(sorted(as_of)))}.", ""]
    out += ["Each row may carry flags (`;`-separated) that say how it was sourced:", ""]
    out += [f"- `{k}`: {md(v)}" for k, v in flag_meanings(polls_module).items()] + [""]
    order = list(COUNTRIES)
    for code in sorted({i.country for i in infos},
                       key=lambda c: (order.index(c) if c in order else len(order), c)):
        members = sorted((i for i in infos if i.country == code),
                         key=lambda i: (i.pollster_name.lower(), i.name))
        out += [f"## {md(COUNTRIES.get(code, code))}", ""]
        out += ["| dataset | pollster | fieldwork | waves |", "|---|---|---|---|"]
        for i in members:
            out.append(f"| {{ref}}`{i.name} <{anchor(i.name)}>` | {md(i.pollster_name)} | "
                       f"{_when(_get(i, 'first_fieldwork'), _get(i, 'last_fieldwork'))} | "
                       f"{i.n_waves} |")
        out.append("")
        for i in members:
            out += dataset_section(polls_module, i, has_source_kind)
    return "\n".join(out)


def write_datasets_page(path: str | Path, polls_module=None) -> bool:
    """Write the page to ``path`` if its text changed; True when written."""
    path = Path(path)
    text = datasets_page(polls_module)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True
