"""The documentation's generated parts, checked without building the site (no Sphinx needed).

The generators live in ``docs/_ext`` and import only the standard library and polls; the code
blocks of the user guide run here, so the guide cannot drift from the API.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

import polls

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
sys.path.insert(0, str(DOCS / "_ext"))

import apiref  # noqa: E402
import catalogue  # noqa: E402
import gallery  # noqa: E402


def test_every_public_name_is_in_exactly_one_group():
    groups = apiref.grouped()
    placed = [name for names in groups.values() for name in names]
    assert sorted(placed) == sorted(polls.__all__)
    assert len(placed) == len(set(placed))
    assert set(groups) == {g.key for g in apiref.GROUPS}


def test_every_public_name_is_listed_on_its_group_page():
    pages = apiref.reference_pages()
    for key, names in apiref.grouped().items():
        if not names:
            assert f"{key}.rst" not in pages
            continue
        entries = re.findall(r"^   polls\.(\w+)$|^\.\. autodata:: polls\.(\w+)$",
                             pages[f"{key}.rst"], re.M)
        listed = {a or b for a, b in entries}
        assert listed == set(names), key
        assert f"   {key}" in pages["index.rst"].splitlines()


def test_the_task_groups_hold_the_names_a_reader_looks_for_there():
    groups = apiref.grouped()
    assert "proportion_ci" in groups["uncertainty"]
    assert "load_dataset" in groups["data"] and "read_toplines" in groups["data"]
    assert "changes" in groups["change"] and "Comparison" in groups["change"]
    assert "poll_average" in groups["trends"]
    assert "SurveyDesign" in groups["weighting"] and "rake" in groups["weighting"]
    assert "list_experiment" in groups["sensitive"] and "response_bounds" in groups["sensitive"]
    assert "plot_trend" in groups["publish"] and "percent_table" in groups["publish"]
    assert "PollsError" in groups["errors"]


@pytest.mark.parametrize(("module", "group"), [
    ("polls.datasets._user", "data"),          # a new private module of a known package
    ("polls.replicate", "weighting"),          # unknown modules: placed by words in the name
    ("polls.regression", "weighting"),
    ("polls.calibration", "weighting"),
    ("polls.export", "publish"),
    ("polls.i18n", "publish"),
    ("polls.summaries", "publish"),
    ("polls.readers", "data"),
    ("polls.catalogue", "data"),
    ("polls.house_effects", "trends"),
    ("polls.something_else", None),
])
def test_names_from_modules_the_mapping_does_not_list_are_placed_by_their_module(module, group):
    assert apiref.group_for_module(module) == group


def test_an_unplaceable_name_still_gets_a_group():
    class NewError(polls.PollsError):
        pass

    NewError.__module__ = "polls.something_else"

    def new_function():
        pass

    new_function.__module__ = "polls.something_else"
    assert apiref.group_of("NewError", NewError) == "errors"
    assert apiref.group_of("new_function", new_function) == "other"


def test_a_constant_is_placed_by_the_module_that_holds_it():
    import polls.schema

    assert apiref.defining_module("FLAGS", polls.schema.FLAGS) == "polls.schema"
    assert apiref.group_of("FLAGS", polls.schema.FLAGS) == "data"


def test_module_constants_are_defined_names_not_imports():
    constants = apiref.module_constants()
    assert "COLUMNS" in constants["polls.schema"]
    assert "ALIASES" in constants["polls.io"]
    assert "COLUMNS" not in constants.get("polls.io", [])
    assert all(not n.startswith("_") for names in constants.values() for n in names)


def test_the_data_sources_page_has_a_section_per_dataset_with_its_sources():
    page = catalogue.datasets_page()
    names = list(polls.list_datasets()["name"])
    for name in names:
        assert f"({catalogue.anchor(name)})=" in page, name
    info = polls.dataset_info("levada-war-support")
    section = page.split(f"({catalogue.anchor(info.name)})=")[1].split("\n(data-")[0]
    assert f":::{{dropdown}} Sources ({len(info.sources)})" in section
    for source in info.sources:
        assert catalogue.link(source["url"]) in section
    for caveat in info.caveats:
        assert catalogue.md(caveat) in section
    assert f"{info.n_waves} waves" in section


def test_the_page_shows_data_as_of_and_the_pollsters_own_rows():
    import types

    name = "levada-war-support"
    catalogue_frame = polls.list_datasets()
    one = types.SimpleNamespace(
        list_datasets=lambda: catalogue_frame[catalogue_frame["name"] == name],
        dataset_info=polls.dataset_info, load_dataset=polls.load_dataset)
    frame = polls.load_dataset(name)
    own = int((frame["source_kind"].astype(str) == "pollster").sum())
    assert 0 < own < len(frame)  # the series rests partly on relays
    as_of = catalogue.md(str(polls.dataset_info(name).data_as_of))
    page = catalogue.datasets_page(one)
    assert f"- **Data as of**: {as_of}" in page
    assert f"The collection was last checked on {as_of}." in page
    assert (f"- **From the pollster's own releases**: {own} of the {len(frame)} rows loaded by "
            "default") in page


def test_markdown_escaping_keeps_text_literal():
    assert catalogue.md("a*b_c [d](e) <f>") == r"a\*b\_c \[d\]\(e\) \<f\>"
    assert catalogue.md("two\n  lines") == "two lines"
    assert catalogue.link("https://example.org/a?b=1") == "<https://example.org/a?b=1>"
    assert catalogue.link("see page 3") == "see page 3"


def test_the_gallery_lists_every_notebook(tmp_path):
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    copied = gallery.build_gallery(ROOT / "notebooks", tmp_path)
    assert [p.name for p in copied] == [p.name for p in notebooks]
    assert (tmp_path / "data").is_dir() == (ROOT / "notebooks" / "data").is_dir()
    index = (tmp_path / "index.md").read_text(encoding="utf-8")
    for path in notebooks:
        title = json.loads(path.read_text(encoding="utf-8"))["cells"][0]["source"]
        title = ("".join(title) if isinstance(title, list) else title).splitlines()[0][2:]
        assert f"**{title.strip()}**" in index
        assert f"\n{path.stem}\n" in index
    (tmp_path / "gone.ipynb").write_text("{}", encoding="utf-8")
    gallery.build_gallery(ROOT / "notebooks", tmp_path)
    assert not (tmp_path / "gone.ipynb").exists()


def _python_blocks(path: Path) -> list[str]:
    """The code cells of a MyST page (```{code-cell} ipython3 and ```python blocks)."""
    pattern = r"^```(?:python|\{code-cell\} ipython3)\n(.*?)^```"
    return re.findall(pattern, path.read_text(encoding="utf-8"), re.M | re.S)


GUIDE = sorted((DOCS / "guide").glob("*.md"))


@pytest.mark.parametrize("path", GUIDE, ids=[p.name for p in GUIDE])
def test_the_code_in_each_guide_page_runs(path, tmp_path, monkeypatch):
    """Each page's code cells run in order in one namespace, in an empty folder."""
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for i, block in enumerate(_python_blocks(path), 1):
        code = compile(block, f"{path.name}, code block {i}", "exec")
        exec(code, namespace)  # noqa: S102 - the guide's own examples
    plt.close("all")


def test_a_gallery_thumbnail_is_the_first_figure_of_its_notebook_page(tmp_path):
    (tmp_path / "gallery").mkdir()
    (tmp_path / "_images").mkdir()
    (tmp_path / "_images" / "first.png").write_bytes(b"first")
    (tmp_path / "_images" / "second.png").write_bytes(b"second")
    (tmp_path / "gallery" / "a.html").write_text(
        '<p><img alt="x" src="../_images/first.png"/></p><img src="../_images/second.png">',
        encoding="utf-8")
    (tmp_path / "gallery" / "b.html").write_text("<p>no figure</p>", encoding="utf-8")
    assert gallery.write_thumbnails(tmp_path, ["a", "b", "c"]) == {"a": True, "b": False,
                                                                  "c": False}
    assert (tmp_path / "_images" / gallery.thumbnail_name("a")).read_bytes() == b"first"
    assert not (tmp_path / "_images" / gallery.thumbnail_name("b")).exists()
