"""Write notebooks 01-05 from the text below (run from the repository root).

The notebooks are generated so that their text and code can be reviewed as ordinary Python, and
written without outputs (the report and the tests execute them):

    python scripts/make_notebooks.py
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "notebooks"

SETUP = """\
import matplotlib.pyplot as plt
import pandas as pd

import polls

pd.set_option("display.max_colwidth", 80)
"""

def md(text: str):
    return new_markdown_cell(text.strip("\n"))


def code(text: str):
    return new_code_cell(text.strip("\n"))


# --------------------------------------------------------------------------- 01


NB01 = [
    md("""
# Russia: support for the war, 2022 to now

**What this shows.** How many Russians tell Levada Center's interviewers that they support "the
actions of the Russian armed forces in Ukraine", wave by wave since March 2022; how that support
splits into *definitely* and *rather*; which changes from one wave to the next are larger than
sampling noise; whether people prefer peace talks or continuing the fighting; and how closely they
follow the war.

**Sources.** Levada Center's monthly omnibus (about 1,600 adults, face to face at home), as
published by Levada and relayed by news outlets. Every figure in the bundled datasets
`levada-war-support`, `levada-peace-talks` and `levada-war-attention` keeps the address it was
taken from (`source_url`); each chart's source line names the web domains.

**Caveats.** Telling a stranger what you think of the war can carry risk, which may inflate stated
support. Not every month, nor every answer option, was published: missing months stay missing
(the lines break there) and are never filled in. Some figures come from secondary reports; where
sources disagree, the pollster's own release is shown and the other values stay reachable. The
intervals cover sampling error only.
"""),
    code(SETUP),
    md("""
## The data and its caveats

`dataset_info` prints the question, the usual design and the caveats that travel with the data.
"""),
    code("""
support = polls.load_dataset("levada-war-support")
print(polls.dataset_info("levada-war-support"))
"""),
    md("""
## How wide is the uncertainty?

Levada states a maximum sampling error of 3.4 points (95%) for a 50% share at its usual 1,600
respondents. A simple random sample of that size would give about 2.5 points, so Levada's own
figure implies a *design effect* near 1.9 (clustered, weighted samples carry less information
than their size suggests). We use that design effect for every interval below. Waves whose
sample size was not published use Levada's usual 1,600 (`n_source` says which).
"""),
    code("""
margins = polls.stated_margins("levada")
stated = margins.loc[margins["share_level"] == 0.5, "max_error"].item()
deff = polls.implied_design_effect(stated, 1600)
srs = polls.margin_of_error(1600)
print(f"stated margin at 50%: {stated:.1%}; simple random sample: {srs:.2%}; "
      f"implied design effect: {deff:.2f}")

support_ci = polls.with_ci(support, deff=deff)
support_ci["n_source"].value_counts()
"""),
    md("""
## Support and opposition

The totals ("support" = definitely + rather) as Levada published them, with 95% intervals. Breaks
in the lines are months for which no figure was found: `gap="45D"` breaks a line wherever two
published waves are more than 45 days apart, the same rule for every line of these monthly series.
"""),
    code("""
totals = support_ci[support_ci["response"].isin(["support (total)", "do not support (total)"])]
ax = polls.plot_trend(totals, hue="response", gap="45D",
                      title="Do you support the actions of the Russian armed forces in Ukraine?")
ax.set_ylim(0, 1)
plt.show()
"""),
    md("""
## Definitely or rather?

The headline total hides a split: "definitely support" moves more than "rather support". Fewer
waves publish the split, so these lines have more gaps.
"""),
    code("""
split = support_ci[support_ci["response"].isin(["definitely support", "rather support"])]
ax = polls.plot_trend(split, hue="response", gap="45D", title="Strength of support")
ax.set_ylim(0, 0.8)
plt.show()
"""),
    md("""
## Which changes are more than noise?

`polls.changes` compares each wave with the previous published wave of the same answer: the
difference, its 95% interval and a test of "no change". It takes the design effect and the
rounding of whole-percent figures into account (a 1-point move could be rounding alone), and a
Holm correction for making many comparisons along one series. Note `previous_date`: after a gap,
the comparison spans several months.
"""),
    code("""
total = support[support["response"] == "support (total)"]
moves = polls.changes(total, deff=deff, rounding=True, correction="holm")
print(f"{len(moves)} wave-to-wave changes in total support; "
      f"{int((moves['pvalue'] < 0.05).sum())} with p < 0.05 before the correction, "
      f"{int(moves['significant'].sum())} after it (Holm, 95%)")
polls.percent_table(
    moves[["previous_date", "date", "previous_share", "share", "difference", "ci_low", "ci_high",
           "pvalue_adjusted", "significant"]],
    ["previous_share", "share", "difference", "ci_low", "ci_high"],
).tail(12)
"""),
    md("""
The same changes as a chart: each dot is one wave's change from the previous published wave, with
its interval; an interval that crosses zero is compatible with no change at all.
"""),
    code("""
recent = moves.tail(15).assign(
    step=lambda d: d["previous_date"].dt.strftime("%b %Y") + " to " + d["date"].dt.strftime("%b %Y")
)
ax = polls.plot_house_effects(recent, x="estimate", y="step", source="",
                              title="Change in total support from the previous published wave")
ax.set_xlabel("change, percentage points")
plt.show()
"""),
    md("""
## Peace talks or continuing the fighting?

Levada also asks whether military actions should continue or whether it is necessary to move to
peace negotiations.
"""),
    code("""
talks = polls.load_dataset("levada-peace-talks")
talks_ci = polls.with_ci(talks, deff=deff)
pair = talks_ci[talks_ci["response"].isin(["should start peace negotiations",
                                            "should continue military actions"])]
ax = polls.plot_trend(pair, hue="response", gap="45D",
                      title="Continue military actions or start peace negotiations?")
ax.set_ylim(0, 0.8)
plt.show()
"""),
    md("""
In the latest wave, is the lead of negotiations over continuing larger than the uncertainty? Both
shares come from the same respondents, so `polls.lead` uses the right variance for a difference
within one poll. When the wave states no sample size, Levada's usual size from the dataset's
metadata (`attrs["usual_sample_size"]`) is used, and the output says so.
"""),
    code("""
last = pair[pair["fieldwork_end"] == pair["fieldwork_end"].max()].set_index("response")
stated = last["sample_size"].dropna()
n = int(stated.max()) if len(stated) else talks.attrs["usual_sample_size"]
n_note = "stated" if len(stated) else "Levada's usual size, not stated for this wave"
gap = polls.lead(last.loc["should start peace negotiations", "share"],
                 last.loc["should continue military actions", "share"], n, deff=deff,
                 precision=0.01)
low, high = gap.confidence_interval()
print(f"wave ending {last['fieldwork_end'].iloc[0]:%d %b %Y}, n = {n:,} ({n_note}): "
      f"negotiations lead by {gap.difference * 100:.0f} points "
      f"(95% interval {low * 100:.1f} to {high * 100:.1f} points), "
      f"p = {gap.pvalue:.2g}")
"""),
    md("""
## How closely do Russians follow the war?

"Very closely" and "do not follow at all", as Levada published them.
"""),
    code("""
attention = polls.with_ci(polls.load_dataset("levada-war-attention"), deff=deff)
shown = attention[attention["response"].isin(["very closely", "do not follow at all"])]
ax = polls.plot_trend(shown, hue="response", gap="45D",
                      title="Are you following the situation around Ukraine?")
ax.set_ylim(0, 0.6)
plt.show()
"""),
    md("""
## When sources disagree

For some waves two sources print different figures (often a secondary report one point off the
pollster's release). By default the loader keeps the pollster's own release; `conflicts="all"`
returns every source's row, with `preferred` marking the one used above.
"""),
    code("""
every = polls.load_dataset("levada-war-support", conflicts="all")
disputed = every[every["flags"].str.contains("conflict", na=False)]
disputed[["fieldwork_end", "response", "share", "preferred", "source_url"]].sort_values(
    ["fieldwork_end", "response"])
"""),
    md("""
## Reading these numbers

- Stated support for the army's actions has stayed between about 70% and 81% in every published
  wave; most wave-to-wave moves are within sampling noise once the design effect and rounding
  are counted (the count above). Judge a reported "drop"
  or "rise" with the table above, not by eye.
- The question's wording ("the actions of the Russian armed forces") and the setting (a face to
  face interview in wartime) shape the answers; list experiments (see the list-experiment tools)
  are one way researchers probe how much.
- Months without a published figure are gaps, not zeros and not interpolations.
"""),
]


# --------------------------------------------------------------------------- 02


NB02 = [
    md("""
# Russia: Putin's approval over 25 years

**What this shows.** Levada Center's monthly question "Do you approve of the activities of
V. Putin?" from August 1999 to now, with major events marked; the months of 2020 when Levada
polled by telephone; and how the same period looks in VCIOM's and FOM's trackers, which ask
different questions.

**Sources.** Levada Center's indicator tables (mostly via two public compilations checked against
Levada's own releases), VCIOM's weekly releases and FOM's FOMnibus releases, bundled as
`levada-putin-approval`, `vciom-putin-approval` and `fom-putin-job-rating`; every figure keeps its
`source_url`.

**Caveats.** The question covered Putin as Prime Minister in 1999-2000 and 2008-2012 (shaded
below). Levada polled by telephone instead of face to face in April and July 2020 (possibly also
May and June 2020). VCIOM asks "do you approve of the President's activities" by telephone; FOM
asks whether he is doing his job "well or badly": the three levels are not directly comparable.
Missing months stay missing. Intervals cover sampling error only. The events marked on the first
chart are context dates added for reading it; they are not part of the bundled data.
"""),
    code(SETUP),
    code("""
approval = polls.load_dataset("levada-putin-approval")
print(polls.dataset_info("levada-putin-approval"))

margins = polls.stated_margins("levada")
deff = polls.implied_design_effect(
    margins.loc[margins["share_level"] == 0.5, "max_error"].item(), 1600)
approval_ci = polls.with_ci(approval, deff=deff)
"""),
    md("""
## Twenty-five years in one chart

Approval and disapproval with 95% intervals (design effect from Levada's stated margin of error,
about 1.9). The shaded spans are the years in which Putin was Prime Minister, when the question
asked about his activities in that office: from his appointment on 9 August 1999 to his
inauguration as President on 7 May 2000 (he was also acting President from 31 December 1999), and
from 8 May 2008 to his return to the presidency on 7 May 2012.

The dotted lines are **context dates, not data**: well-known events, placed on the day they
happened, that readers often use to read the series. They are not part of the bundled datasets,
and a line beside a move in approval does not show that the event caused it.

| date | event |
|---|---|
| 1 October 1999 | Russian ground forces enter Chechnya (second Chechen war) |
| 8 August 2008 | war with Georgia begins |
| 10 December 2011 | first mass protest after the 4 December Duma election |
| 18 March 2014 | treaty annexing Crimea signed |
| 14 June 2018 | government announces the rise in the pension age |
| 24 February 2022 | full-scale invasion of Ukraine |
"""),
    code("""
fig, ax = plt.subplots(figsize=(11, 5), layout="constrained")
shown = approval_ci[approval_ci["response"].isin(["approve", "disapprove"])]
polls.plot_trend(shown, hue="response", ax=ax, markers=False, gap="45D",
                 title="Do you approve of the activities of Vladimir Putin? (Levada Center)")
for start, end in [("1999-08-09", "2000-05-07"), ("2008-05-08", "2012-05-07")]:
    ax.axvspan(pd.Timestamp(start), pd.Timestamp(end), color="0.88", zorder=0)
ax.text(pd.Timestamp("2008-06-01"), 0.02, "as Prime Minister", fontsize="small", color="0.3")
# context dates (not data): labels sit in the empty band between the two lines
events = {
    "1999-10-01": "Chechen war",
    "2008-08-08": "Georgia war",
    "2011-12-10": "protests",
    "2014-03-18": "Crimea",
    "2018-06-14": "pension age",
    "2022-02-24": "invasion",
}
for day, name in events.items():
    ax.axvline(pd.Timestamp(day), color="0.5", linestyle=":", linewidth=1)
    ax.text(pd.Timestamp(day), 0.40, f" {name}", rotation=90, va="bottom", ha="right",
            fontsize="small", color="0.3")
ax.set_ylim(0, 1)
ax.legend(frameon=False, fontsize="small", loc="center right")
plt.show()
"""),
    md("""
## The telephone months of 2020

In spring 2020 Levada switched to telephone interviews during the COVID-19 lockdown. The dataset's
caveat (from the curated sources) says April and July 2020 were polled by telephone, possibly May
and June too: that window is shaded. Only the April wave's own source states its mode, in the
`mode` column; it is circled. A change of mode can move answers by itself, so the dip of spring
2020 should not be read as a pure change of opinion.
"""),
    code("""
window = shown[(shown["fieldwork_end"] >= "2019-01-01") & (shown["fieldwork_end"] <= "2021-12-31")]
ax = polls.plot_trend(window, hue="response", gap="45D",
                      title="Approval around the 2020 lockdown")
ax.axvspan(pd.Timestamp("2020-04-01"), pd.Timestamp("2020-07-31"), color="0.9", zorder=0,
           label="telephone months (April and July; possibly May-June)")
phone = window[window["mode"].str.contains("telephone", na=False)]
ax.scatter(phone["fieldwork_end"], phone["share"], s=160, facecolors="none", edgecolors="black",
           label="mode stated: telephone")
ax.legend(frameon=False, fontsize="small")
ax.set_ylim(0, 1)
plt.show()
phone[["fieldwork_start", "fieldwork_end", "response", "share", "mode", "source_url"]]
"""),
    md("""
Did approval really fall between March and April 2020? `compare_proportions` tests the change
with the design effect and whole-percent rounding; but the test cannot separate a change of
opinion from the change of mode.
"""),
    code("""
a = approval.set_index(["fieldwork_end", "response"])["share"]
march = a.loc[(pd.Timestamp("2020-03-31"), "approve")]
april = a.loc[(pd.Timestamp("2020-04-27"), "approve")]
change = polls.compare_proportions(april, 1600, march, 1600, deff1=deff, deff2=deff,
                                   precision=0.01)
low, high = change.confidence_interval()
print(f"March {march:.0%} -> April (telephone) {april:.0%}: change {change.difference:+.0%}, "
      f"95% interval {low:+.1%} to {high:+.1%}, p = {change.pvalue:.2g}")
"""),
    md("""
## Three pollsters, three questions

Since 2022 the three trackers move together but sit at different levels. That is expected: VCIOM
asks by telephone whether people approve of the President's activities, FOM asks face to face
whether he is doing his job well or badly, Levada asks face to face whether people approve of his
activities. Differences in level say more about questions and methods than about opinion.
The sparser VCIOM and FOM series are joined only when waves are less than 120 days apart.
"""),
    code("""
vciom = polls.load_dataset("vciom-putin-approval")
fom = polls.load_dataset("fom-putin-job-rating")
print(polls.dataset_info("vciom-putin-approval").caveats[0])
print(polls.dataset_info("fom-putin-job-rating").caveats[0])

since = "2022-01-01"
fig, ax = plt.subplots(figsize=(10, 4.8), layout="constrained")
levada_pos = approval_ci[(approval_ci["response"] == "approve")
                         & (approval_ci["fieldwork_end"] >= since)]
polls.plot_trend(levada_pos, ax=ax, label="Levada: approve", color="C0", gap="45D", source="")
vciom_pos = vciom[(vciom["response"] == "approve") & (vciom["fieldwork_end"] >= since)]
polls.plot_trend(vciom_pos, ax=ax, label="VCIOM: approve (telephone)", color="C2", gap="120D",
                 source="")
fom_pos = fom[fom["response"] == "rather well"]
polls.plot_trend(fom_pos, ax=ax, label="FOM: doing his job rather well", color="C3", gap="120D",
                 source="")
ax.set_ylim(0.5, 1)
ax.set_title("Putin's ratings since 2022: three questions", loc="left")
polls.source_line(levada_pos, vciom_pos, fom_pos, limit=6, ax=ax)
plt.show()
"""),
    md("""
The FOM rows include figures dated only by publication (flag `undated`): `plot_trend` leaves them
out with a warning that counts them rather than guessing a fieldwork date.

## Reading these numbers

- Levada's approval has moved in long swings, some of them close to the context dates marked
  above; the interval of a single month is about +/-3 points, so a one- or two-point monthly
  move is usually noise.
- 1999-2000 and 2008-2012 measure approval of a Prime Minister, and spring 2020 was partly
  measured by telephone: mark those when quoting the series.
- Do not average Levada, VCIOM and FOM as if they asked the same thing.
"""),
]


# --------------------------------------------------------------------------- 03


NB03 = [
    md("""
# Serbia: between Russia and the EU

**What this shows.** What Serbian polls say about who is to blame for the war in Ukraine, sanctions
on Russia, a referendum on EU membership, military alliances and Serbia's main partners, with
intervals where a sample size was published, and how much the pollsters differ.

**Sources.** Published figures from Crta, New Third Way (Novi treći put), NSPM, Demostat, the
Institute for European Affairs, the Ministry of European Integration, CeSID, IRI, Ipsos, Sprint
Insight, BCBP, Faktor plus and others, bundled as one dataset per pollster and question; every
figure keeps its `source_url`.

**Caveats.** Each pollster words its questions differently, and modes range from face to face to
telephone to online panels (an online panel is not a probability sample: its sampling interval is
a lower bound on the uncertainty). Many releases give no sample size; those figures get no
interval rather than an invented one. Some figures carry only a publication date. Conflicting
sources are kept; missing waves are not filled in.
"""),
    code(SETUP),
    md("""
## What the bundled data hold

The Serbian datasets by pollster: how many series and published figures each has.
"""),
    code("""
catalogue = polls.list_datasets()
serbia = catalogue[catalogue["country"] == "RS"]
serbia.groupby("pollster").agg(series=("name", "size"), figures=("n_rows", "sum")).sort_values(
    "figures", ascending=False)
"""),
    md("""
## Who is to blame for the war?

Crta's autumn 2022 wave (24 September to 3 October, about 1,000 respondents, field interviews):
the answers as published, with 95% intervals for simple random sampling.
"""),
    code("""
blame = polls.with_ci(polls.load_dataset("crta-war-responsibility"))
ax = polls.plot_toplines(blame, title="Crta: who is most responsible for the war in Ukraine?")
plt.show()
"""),
    md("""
Other pollsters asked similar, not identical, questions. The share naming the West, NATO or the
USA is large in every poll, but the answer options differ (some offer "both", some list the USA
and NATO separately and allow several answers), so the levels differ too.
"""),
    code("""
names = ["crta-war-responsibility", "ntp-war-responsibility", "demostat-war-responsibility",
         "nspm-war-blame", "valicon-war-responsibility"]
blame_all = polls.with_ci(polls.load_dataset(names), missing_n="keep")
cols = ["pollster", "series", "fieldwork_start", "fieldwork_end", "published", "sample_size",
        "mode", "response", "share", "ci_low", "ci_high", "flags"]
polls.percent_table(blame_all[cols], ["share", "ci_low", "ci_high"]).sort_values(
    ["series", "fieldwork_end", "published"])
"""),
    md("""
## Sanctions on Russia

Every pollster finds a small minority for sanctions. The chart puts each poll's "in favour"
figure side by side (labels give pollster, fieldwork and sample size); whiskers appear where a
sample size was published. The options differ: for New Third Way the bar is "fully align
sanctions with the EU" (another 9% chose "the lowest level of sanctions"), for Faktor plus "for
aligning with the EU on sanctions"; the others ask for or against sanctions.
"""),
    code("""
favour = {
    "crta-sanctions-russia": "in favour of sanctions",
    "demostat-sanctions-russia": "support sanctions",
    "iea-sanctions-russia": "support",
    "ntp-sanctions-russia": "fully align sanctions with the EU",
    "sprint-sanctions-russia": "should",
    "nspm-sanctions-russia": "support",
    "faktorplus-sanctions-russia": "for aligning with the EU on sanctions",
}
sanctions = polls.with_ci(polls.load_dataset(list(favour)), missing_n="keep")
sanctions = sanctions[[favour[s] == r for s, r in zip(sanctions["series"], sanctions["response"],
                                                       strict=True)]]
pollster_name = {s: polls.dataset_info(s).pollster_name for s in favour}
when = sanctions["fieldwork_end"].fillna(sanctions["published"])
sanctions = sanctions.assign(
    label=sanctions["series"].map(pollster_name) + ", " + when.dt.strftime("%b %Y")
    + sanctions["fieldwork_end"].isna().map({True: " (published)", False: ""})
    + sanctions["sample_size"].map(lambda n: "" if pd.isna(n) else f", n={n:,}")
).sort_values("share", ascending=False)
# one bar per poll: keep only the columns the chart needs (plot_toplines otherwise checks that
# the rows form a single wave)
by_poll = sanctions[["label", "share", "ci_low", "ci_high", "source_url"]]
fig, ax = plt.subplots(figsize=(9, 4.2), layout="constrained")
polls.plot_toplines(by_poll, x="share", y="label", ax=ax,
                    title="Share in favour of sanctions on Russia, by poll")
ax.set_xlim(0, 0.4)
plt.show()
"""),
    md("""
## A referendum on EU membership

"If a referendum on EU membership were held, how would you vote?" is the most often repeated
question, asked by many pollsters over a decade. Each colour is a pollster; points are joined only
when the waves are less than a year apart. Undated figures are left out of the chart (the warning
counts them).
"""),
    code("""
ref_names = [n for n in serbia["name"] if n.endswith("-eu-referendum")]
referendum = polls.with_ci(polls.load_dataset(ref_names), missing_n="keep")
yes = referendum[referendum["response"].isin(["for", "yes"])]
fig, ax = plt.subplots(figsize=(10, 5), layout="constrained")
polls.plot_trend(yes, hue="pollster", gap="365D", ax=ax,
                 title="Would vote for EU membership in a referendum")
ax.set_ylim(0, 0.8)
ax.legend(frameon=False, fontsize="small", ncols=5, loc="lower left")  # below the data
plt.show()
"""),
    md("""
## Do pollsters differ more than sampling allows?

In summer 2022 three pollsters asked the referendum question within weeks of each other:
Demostat (telephone, 13-22 June 2022, n = 1,203), Sprint Insight (face to face, 5-15 August 2022,
n = 1,186) and the Ministry of European Integration (August 2022, no sample size in the source
found). The first two published sample sizes, so we can test whether their "for" shares differ by
more than sampling error would explain. A difference beyond sampling error points to method,
wording or timing; a single poll's interval does not show how much polls disagree.
"""),
    code("""
ref = referendum.set_index(["series", "fieldwork_end", "response"])
demostat = ref.loc[("demostat-eu-referendum", pd.Timestamp("2022-06-22"), "for")]
sprint = ref.loc[("sprint-eu-referendum", pd.Timestamp("2022-08-15"), "for")]
diff = polls.compare_proportions(sprint["share"], sprint["sample_size"],
                                 demostat["share"], demostat["sample_size"], precision=0.01)
low, high = diff.confidence_interval()
print(f"Sprint {sprint['share']:.0%} (n={sprint['sample_size']}) vs Demostat "
      f"{demostat['share']:.0%} (n={demostat['sample_size']}): difference "
      f"{diff.difference:+.0%}, 95% interval {low:+.1%} to {high:+.1%}, p = {diff.pvalue:.2g}")
mei = polls.load_dataset("mei-eu-referendum")
mei_aug = mei[(mei["fieldwork_end"] == "2022-08-31") & (mei["response"] == "for")]
mei_aug[["pollster", "fieldwork_start", "fieldwork_end", "sample_size", "share", "source_url"]]
"""),
    md("""
Sprint's and Demostat's shares differ by about five points, only just beyond what sampling error
allows at 95% (the interval barely excludes zero), for polls two months apart. The Ministry's
August figure is far higher than both; with no published sample size it has no interval, but a
gap of that size is hard to explain by sampling noise alone. The Ministry's own next wave,
December 2022 (n = 1,050), gave 43% "for", close to the other two (see the chart above). Compare
a pollster with itself over time, and one pollster's level with another's only with these
differences in mind.
"""),
    md("""
## Alliances and partners

Crta's autumn 2022 wave on military alignment, and what several pollsters found when asking who
Serbia's most important partner is (wording varies: political, security, economic partner).
"""),
    code("""
alliance = polls.with_ci(polls.load_dataset("crta-military-alliance"))
ax = polls.plot_toplines(alliance, title="Crta: neutrality or a military alliance?")
plt.show()
"""),
    code("""
partner_names = ["crta-partner-political", "crta-partner-security", "crta-partner-economic",
                 "ntp-partner-political", "demostat-main-partner", "nspm-main-partner",
                 "iri-most-important-ally"]
partners = polls.with_ci(polls.load_dataset(partner_names), missing_n="keep")
polls.percent_table(partners[["series", "question", "fieldwork_end", "published",
                              "sample_size", "response", "share", "ci_low", "ci_high"]])
"""),
    md("""
## Reading these numbers

- Opposition to sanctions on Russia and a view of the West or NATO as responsible for the war
  are majority positions in every poll found, but the exact level depends on the pollster's
  wording and answer options.
- Support for EU membership in a referendum varies between pollsters and over time by more than
  any single poll's margin: compare like with like (same pollster, same question).
- Figures without a published sample size have no interval here, and undated figures cannot be
  placed in time: quote them with that caution.
"""),
]


# --------------------------------------------------------------------------- 04


NB04 = [
    md("""
# Checking a claim against the record

**What this shows.** A widely read 2022 report from Belgrade attributed three figures to a July
2022 poll by Crta: two-thirds of Serbians feel closer to Russia; three-quarters believe Moscow was
forced into the war by NATO's intention to expand; 40% favour dropping EU membership for an
alliance with Moscow. This notebook sets each figure beside what the bundled data hold, with
intervals, and shows the steps a reader can repeat with the package.

**Sources.** The bundled Serbian datasets (every figure with its `source_url`), and the account in
the curated data's README of what was and was not found.

**Caveats.** "Not found in this material" is not proof that no such poll exists; it means no
published source for it turned up when the data were gathered. The figures that do match come
from news reports of a poll, not from the pollster's own release.
"""),
    code(SETUP),
    md("""
## Step 1: is there a Crta poll from July 2022?

List the bundled Crta series and their fieldwork dates.
"""),
    code("""
catalogue = polls.list_datasets()
crta = catalogue[catalogue["pollster"] == "crta"]
crta[["name", "first_fieldwork", "last_fieldwork", "n_waves"]]
"""),
    md("""
The Crta waves in the data are May 2022 (sanctions only), 24 September to 3 October 2022, and
25 February to 3 March 2023. None was fielded in July 2022, and no Crta series asks the three
questions of the claim.

## Step 2: where do "two-thirds" and "40%" come from?

The curated data's account: other reports attribute the two-thirds and 40% figures to a poll by
**New Third Way (Novi treći put)**, fielded **13-19 June 2022** as an **online panel** with
**n = 1,285**, and presented in July 2022. No Crta source for them was found. The dataset
metadata carries the same caveat.
"""),
    code("""
print(polls.dataset_info("ntp-closer-to"))
"""),
    code("""
ntp_names = ["ntp-closer-to", "ntp-eu-talks", "ntp-war-cause", "ntp-war-responsibility"]
ntp = polls.load_dataset(ntp_names)
ntp = polls.with_ci(ntp[ntp["sample_size"].notna()])
polls.percent_table(ntp[["series", "question", "fieldwork_start", "fieldwork_end",
                         "sample_size", "mode", "response", "share", "ci_low", "ci_high", "flags",
                         "source_url"]])
"""),
    md("""
The intervals assume simple random sampling; an online panel is not a probability sample, so the
real uncertainty is larger and of unknown size. Even so, these intervals tell us what the figures
can and cannot support.
"""),
    md("""
## Step 3: each figure of the claim beside the record
"""),
    code("""
# the June 2022 wave of each series, one row per response
by_response = ntp.set_index(["series", "response"])
closer = by_response.loc[("ntp-closer-to", "closer to Moscow")]
talks = by_response.loc[("ntp-eu-talks", "want EU membership talks ended")]
cause = by_response.loc[("ntp-war-cause", "NATO wanted to expand further")]

checks = []
for claim, claimed, found, note in [
    ("two-thirds feel closer to Russia", 2 / 3, closer,
     "matches a New Third Way figure (June 2022), not a Crta one"),
    ("40% favour dropping EU membership for an alliance with Moscow", 0.40, talks,
     "New Third Way's 40% is for ending EU membership talks; the question does not mention "
     "an alliance with Moscow"),
    ("three-quarters believe NATO expansion forced Moscow into war", 0.75, cause,
     "no pollster source found; New Third Way's own figure for NATO expansion as the main "
     "cause is 41%"),
]:
    low, high = polls.proportion_ci(found["share"], found["sample_size"], precision=0.01)
    checks.append({
        "claim": claim,
        "claimed": claimed,
        "closest figure in the data": f"{found.name[1]} ({found.name[0]})",
        "published": found["share"],
        "ci_low": low,
        "ci_high": high,
        "claimed value inside the interval": bool(low <= claimed <= high),
        "note": note,
    })
checks = pd.DataFrame(checks)
polls.percent_table(checks, ["claimed", "published", "ci_low", "ci_high"])
"""),
    md("""
The intervals in this table also cover the rounding of the published whole percents, so they are
slightly wider than in the table above.

Reading the table:

- **Two-thirds closer to Russia.** New Third Way published 66% "closer to Moscow"; two-thirds
  lies inside its interval. The figure exists, but the sources that give it name New Third Way's
  June 2022 online poll, not Crta.
- **40% for dropping the EU.** New Third Way published 40% wanting EU membership talks ended.
  That is the number, but the question as reported is about ending the talks, not about choosing
  an alliance with Moscow instead.
- **Three-quarters blame NATO expansion.** No pollster source for this figure was found in this
  material. The closest published item, New Third Way's "NATO wanted to expand further" as the
  main reason the war broke out, is 41%, and 75% is far outside its interval, as the chart shows.
"""),
    code("""
shown = checks.assign(label=["closer to Moscow (claim: two-thirds)",
                             "end EU talks (claim: 40%)",
                             "NATO expansion the main cause (claim: three-quarters)"])
fig, ax = plt.subplots(figsize=(9, 3.4), layout="constrained")
polls.plot_toplines(shown, x="published", y="label", ax=ax,
                    source="Source: New Third Way, 13-19 June 2022, via rp.pl and magyarnemzet.hu "
                           "(see source_url)")
ax.scatter(checks["claimed"], range(len(checks)), marker="|", s=400, color="black", zorder=4)
ax.set_xlabel("share of respondents")
ax.set_title("Claimed figure (black tick) vs the closest published figure", loc="left")
plt.show()
"""),
    md("""
## Step 4: related figures that should not be swapped in

Other polls asked neighbouring questions. They are useful context but are not the source of the
claim, and their numbers should not be substituted for it: different pollsters, dates and
wording.
"""),
    code("""
context_names = ["crta-russia-over-eu", "crta-military-alliance", "crta-war-responsibility",
                 "ntp-war-responsibility", "demostat-war-responsibility"]
context = polls.with_ci(polls.load_dataset(context_names), missing_n="keep")
polls.percent_table(context[["series", "question", "fieldwork_end", "published",
                             "sample_size", "response", "share", "ci_low", "ci_high"]])
"""),
    md("""
For example, Crta's autumn 2022 wave found 61% agreeing that Serbia should keep good relations
with Russia even at the cost of giving up the EU, and 19% for a military alliance with Russia.
Neither is the "40%" of the claim, and neither comes from July 2022.

## How to check a claim like this yourself

1. `polls.list_datasets()`: find the pollster and the dates the claim names.
2. `polls.load_dataset(name)` and `polls.dataset_info(name)`: read the exact question, the
   fieldwork dates, the sample size, the mode, the flags and the caveats.
3. `polls.proportion_ci(share, n, precision=0.01)`: is the claimed figure inside the interval of
   the published one?
4. Follow `source_url` to the publication, and say what it says: who polled, when, how, and what
   was asked. Where no source is found, say that, and no more.
"""),
]


# --------------------------------------------------------------------------- 05


NB05 = [
    md("""
# How uncertain is a poll?

**What this shows.** A hands-on tour of the uncertainty in published poll figures: the margin of
error and what it assumes, the design effect hidden in a pollster's stated margin, interval
methods, the rounding of published percentages, and how to tell a real change from noise, all on
the bundled Levada data.

**Sources.** Levada Center's statement of its maximum sampling error for n = 1,600
(`polls.stated_margins("levada")`) and the bundled `levada-war-support` and
`levada-putin-approval` datasets; every figure keeps its `source_url`.

**Caveats.** Every interval here covers sampling error only: not question wording, not people who
refuse to answer, not answers shaded by caution. Treat it as the smallest plausible uncertainty.
"""),
    code(SETUP),
    md("""
## The margin of error, and what it assumes

The textbook margin for a share p from n randomly chosen people is z * sqrt(p (1 - p) / n). For
n = 1,600 at p = 50% that is about 2.5 points. Levada states 3.4 points. The gap is the design
effect: clustered sampling (a few interviews per street) and weighting make 1,600 interviews worth
fewer independent ones.
"""),
    code("""
margins = polls.stated_margins("levada")
margins = margins.assign(
    srs_margin=polls.margin_of_error(margins["sample_size"], p=margins["share_level"]),
    implied_deff=polls.implied_design_effect(margins["max_error"], margins["sample_size"],
                                             p=margins["share_level"]),
)
margins[["share_level", "max_error", "srs_margin", "implied_deff"]].round(3)
"""),
    code("""
fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
ax.plot(margins["share_level"], margins["max_error"], "o-", label="Levada's stated margin")
ax.plot(margins["share_level"], margins["srs_margin"], "s--",
        label="simple random sample, n = 1,600")
ax.xaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1))
ax.yaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1, decimals=1))
ax.set_xlabel("share level")
ax.set_ylabel("95% margin of error")
ax.legend(frameon=False)
ax.set_title("Stated vs textbook margin of error", loc="left")
polls.source_line(margins, ax=ax)
plt.show()
"""),
    code("""
deff = polls.implied_design_effect(0.034, 1600)
print(f"design effect at 50%: {deff:.2f}; effective sample size: {1600 / deff:.0f} "
      f"of 1,600 interviews")
"""),
    md("""
## One figure, several intervals

Levada's March 2022 reading: 81% support (total). The interval depends on the method and, much
more, on the design effect.
"""),
    code("""
rows = []
for method in ["wald", "wilson", "agresti_coull", "clopper_pearson", "jeffreys"]:
    for d in [1.0, deff]:
        low, high = polls.proportion_ci(0.81, 1600, method=method, deff=d)
        rows.append({"method": method, "deff": round(d, 2), "low": low, "high": high,
                     "width (points)": (high - low) * 100})
intervals = pd.DataFrame(rows)
intervals.round(3)
"""),
    md("""
## Rounding: a published 5% may be 4.5% or 5.49%

Levada publishes whole percents. For small shares the rounding is a sizeable part of the
uncertainty; `precision=0.01` widens the interval to cover every value that rounds to the
published figure.
"""),
    code("""
rows = []
for share in [0.03, 0.05, 0.10, 0.50]:
    plain = polls.proportion_ci(share, 1600, deff=deff)
    rounded = polls.proportion_ci(share, 1600, deff=deff, precision=0.01)
    rows.append({"published": share, "interval": f"{plain.low:.1%} to {plain.high:.1%}",
                 "with rounding": f"{rounded.low:.1%} to {rounded.high:.1%}",
                 "extra width (points)": round((rounded.width - plain.width) * 100, 2)})
pd.DataFrame(rows)
"""),
    md("""
## Did it really change?

A headline says support "fell 3 points". Between two independent waves of 1,600 with a design
effect near 1.9, is that more than noise? (The pairs of figures below are illustrative, not
particular Levada waves.)
"""),
    code("""
for later, earlier in [(0.74, 0.77), (0.70, 0.77), (0.81, 0.74)]:
    result = polls.compare_proportions(later, 1600, earlier, 1600, deff1=deff, deff2=deff,
                                       precision=0.01)
    low, high = result.confidence_interval()
    print(f"{earlier:.0%} -> {later:.0%}: change {result.difference:+.0%}, "
          f"95% interval {low:+.1%} to {high:+.1%}, p = {result.pvalue:.2g}")
"""),
    md("""
Along a whole series, count how many wave-to-wave changes look significant as the assumptions
are added one at a time: simple random sampling; Levada's design effect; the design effect plus
the rounding of whole percents; and all of that with a Holm correction for testing hundreds of
changes at once. Each change compares a wave with the previous *published* wave, so after a
missing month it spans more than a month.
"""),
    code("""
approval = polls.load_dataset("levada-putin-approval")
# one approval figure has no fieldwork date and cannot be placed in the sequence
approve = approval[(approval["response"] == "approve") & approval["fieldwork_end"].notna()]
settings = {
    "simple random sampling": {},
    "design effect": {"deff": deff},
    "design effect + rounding": {"deff": deff, "rounding": True},
    "design effect + rounding + Holm": {"deff": deff, "rounding": True, "correction": "holm"},
}
counts = {}
for name, options in settings.items():
    moves = polls.changes(approve, **options)
    counts[name] = int(moves["significant"].sum())
print(f"{len(moves)} wave-to-wave changes in Putin's approval (Levada)")
pd.Series(counts, name="changes called significant")
"""),
    code("""
ax = pd.Series(counts).plot.barh(color=["C3", "C1", "C2", "C0"], figsize=(7, 3))
ax.invert_yaxis()
ax.set_xlabel(f"wave-to-wave changes called significant at 95% (of {len(moves)})")
ax.set_title("Levada's approval series, four sets of assumptions", loc="left")
polls.source_line(approve, ax=ax)
plt.show()
"""),
    md("""
## A lead within one poll

Levada, October 2024: 55% "should start peace negotiations", 36% "should continue military
actions" (bundled `levada-peace-talks`). Both shares come from the same respondents, so the
uncertainty of the gap is not the sum of two separate margins. `polls.lead` uses the right
formula.
"""),
    code("""
gap = polls.lead(0.55, 0.36, 1600, deff=deff, precision=0.01)
low, high = gap.confidence_interval()
print(f"lead {gap.difference * 100:.0f} points, "
      f"95% interval {low * 100:.1f} to {high * 100:.1f} points")
gap.to_frame()
"""),
    md("""
## Take-aways

- A stated margin of error already hides a design effect: use it (`implied_design_effect`).
- For small shares, rounding to whole percents matters; for large ones, the design effect does.
- Before reporting a change, test it; before reporting many changes, correct for testing many.
- None of this covers wording, mode or reluctance to answer: the intervals are a floor, not a
  ceiling.
"""),
]


NOTEBOOKS = {
    "01-russia-war-support.ipynb": NB01,
    "02-putin-approval.ipynb": NB02,
    "03-serbia-russia-eu.ipynb": NB03,
    "04-checking-a-claim.ipynb": NB04,
    "05-how-uncertain-is-a-poll.ipynb": NB05,
}


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for name, cells in NOTEBOOKS.items():
        nb = new_notebook(cells=cells)
        for i, cell in enumerate(nb.cells):
            cell.id = f"cell-{i:02d}"  # stable ids keep regenerated notebooks diff-free
        nb.metadata["kernelspec"] = {
            "name": "python3", "display_name": "Python 3", "language": "python"
        }
        nb.metadata["language_info"] = {"name": "python"}
        nbformat.validate(nb)
        nbformat.write(nb, OUT / name)
        print(f"wrote notebooks/{name}")


if __name__ == "__main__":
    main()
