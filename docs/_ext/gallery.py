"""The gallery: the repository's notebooks copied into the documentation source, with an index.

Every ``notebooks/*.ipynb`` (and the files beside them that the notebooks read, such as
``notebooks/data/``) is mirrored into ``docs/gallery/`` at build time; myst-nb then executes each
notebook during the build, so its figures come from the current code and data. The index page
shows each notebook's title and the first paragraph of its opening cell. Only the standard
library is imported (no Sphinx).
"""

from __future__ import annotations

import filecmp
import json
import re
import shutil
from pathlib import Path

#: Names never copied from the notebooks folder.
_SKIP = {".ipynb_checkpoints", "__pycache__"}


def mirror(src: Path, dst: Path) -> list[Path]:
    """Make ``dst`` a copy of ``src`` (files whose content is unchanged are not rewritten).

    Files in ``dst`` that ``src`` no longer has are removed, except ``index.md`` (the gallery
    index, written by :func:`write_index`). Returns the files written.
    """
    written = []
    wanted = set()
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        if any(part in _SKIP for part in rel.parts) or not path.is_file():
            continue
        wanted.add(rel)
        target = dst / rel
        if target.exists() and filecmp.cmp(path, target, shallow=False):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        written.append(target)
    if dst.exists():
        for path in sorted(dst.rglob("*"), reverse=True):
            rel = path.relative_to(dst)
            if path.is_file() and rel not in wanted and rel != Path("index.md"):
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return written


def summary(path: Path) -> tuple[str, str]:
    """A notebook's title (its first ``# `` heading) and the first paragraph after it."""
    cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    text = ""
    for cell in cells:
        if cell.get("cell_type") == "markdown":
            source = cell.get("source", "")
            text = "".join(source) if isinstance(source, list) else source
            break
    lines = text.strip().splitlines()
    title = path.stem
    if lines and lines[0].startswith("# "):
        title, lines = lines[0][2:].strip(), lines[1:]
    paragraphs = re.split(r"\n\s*\n", "\n".join(lines).strip())
    first = " ".join(paragraphs[0].split()) if paragraphs and paragraphs[0] else ""
    return title, first


def index_page(notebooks: list[Path]) -> str:
    """The gallery's index: a card per notebook and a hidden table of contents."""
    out = [
        "(gallery)=",
        "# Gallery",
        "",
        "Worked examples on the bundled data, each a Jupyter notebook in the repository's "
        "`notebooks/` folder. They run from top to bottom every time this documentation is "
        "built, so every figure and table below comes from the current code and data. "
        "Open the notebooks themselves to change them and run them again.",
        "",
        "::::{grid} 1 1 2 2",
        ":gutter: 3",
        "",
    ]
    for path in notebooks:
        title, first = summary(path)
        out += [":::{grid-item-card}", f":link: {path.stem}", ":link-type: doc", "",
                f'<img src="../_images/{thumbnail_name(path.stem)}" alt="" '
                'class="polls-thumb" onerror="this.remove()">', "",
                f"**{title}**", "", first, ":::", ""]
    out += ["::::", "", "```{toctree}", ":hidden:", ""]
    out += [path.stem for path in notebooks]
    out += ["```", ""]
    return "\n".join(out)


def thumbnail_name(stem: str) -> str:
    """The file name of a notebook's thumbnail in the site's ``_images/`` folder."""
    return f"gallery-thumb-{stem}.png"


_IMG = re.compile(r'<img[^>]+src="\.\./_images/([^"]+\.png)"')


def write_thumbnails(html_dir: str | Path, notebooks: list[str]) -> dict[str, bool]:
    """Copy the first figure of each rendered notebook page as its gallery thumbnail.

    ``html_dir`` is the built site; ``notebooks`` the notebook stems. Returns, per notebook,
    whether its page had a figure.
    """
    html_dir = Path(html_dir)
    found = {}
    for stem in notebooks:
        page = html_dir / "gallery" / f"{stem}.html"
        match = _IMG.search(page.read_text(encoding="utf-8")) if page.exists() else None
        found[stem] = match is not None
        if match:
            shutil.copyfile(html_dir / "_images" / match.group(1),
                            html_dir / "_images" / thumbnail_name(stem))
    return found


def build_gallery(notebooks_dir: str | Path, gallery_dir: str | Path) -> list[Path]:
    """Mirror the notebooks into ``gallery_dir``, write its ``index.md``, return the notebooks."""
    src, dst = Path(notebooks_dir), Path(gallery_dir)
    mirror(src, dst)
    notebooks = sorted(dst.glob("*.ipynb"))
    index = dst / "index.md"
    text = index_page(notebooks)
    if not index.exists() or index.read_text(encoding="utf-8") != text:
        index.write_text(text, encoding="utf-8")
    return notebooks
