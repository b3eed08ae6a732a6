"""Packaging: environment.yml matches pyproject.toml, and `import polls` stays light."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _name(spec: str) -> tuple[str, str]:
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", spec)
    assert match, spec
    return match.group(1).lower().replace("_", "-"), match.group(2).replace(" ", "")


def test_environment_yml_has_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(s) for s in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        wanted |= {_name(s) for s in extra if not s.startswith("polls[")}
    conda = set()
    text = (ROOT / "environment.yml").read_text()
    for line in text.split("dependencies:", 1)[1].splitlines():
        match = re.match(r"^  - ([A-Za-z0-9_.\-]+[^:]*)$", line)
        if match:
            name, spec = _name(match.group(1))
            if name not in {"python", "pip"}:
                conda.add((name, spec))
    assert conda == wanted


def test_import_polls_does_not_load_heavy_optional_libraries():
    code = ("import sys, polls; heavy = ('scipy', 'matplotlib', 'statsmodels', 'pyreadstat', "
            "'openpyxl', 'nbformat', 'nbclient'); "
            "print(','.join(m for m in heavy if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == ""


def test_every_public_name_has_a_docstring_with_an_example():
    import polls

    missing = []
    for name in polls.__all__:
        obj = getattr(polls, name)
        if name.startswith("__") or isinstance(obj, str):
            continue
        if isinstance(obj, type) and issubclass(obj, (Exception, Warning)):
            if not obj.__doc__:
                missing.append(name)
            continue
        doc = obj.__doc__ or ""
        if callable(obj) and not isinstance(obj, type) and "Examples" not in doc:
            missing.append(name)
    assert missing == []


def test_all_extra_names_every_feature_extra():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]
    (spec,) = extras["all"]
    named = set(re.fullmatch(r"polls\[([a-z,]+)\]", spec).group(1).split(","))
    assert named == set(extras) - {"all", "dev", "docs"}  # docs: for building the site
    assert any(s.startswith("jupyterlab") for s in extras["notebooks"])


MISSING = """
import sys
sys.modules[{module!r}] = None  # as if it were not installed
import polls
try:
    {call}
except ImportError as exc:
    print(type(exc).__name__, exc)
"""

FEATURES = [
    ("matplotlib", "polls.plot_toplines(__import__('pandas').DataFrame("
                   "{'response': ['a'], 'share': [0.5]}))", "plot"),
    ("matplotlib", "polls.save_chart(None, 'x.png')", "plot"),
    ("openpyxl", "polls.read_toplines(__import__('io').BytesIO(b'PK\\x03\\x04'))", "excel"),
    ("pyreadstat", "polls.read_microdata('survey.sav')", "microdata"),
    ("pyarrow", "polls.read_microdata('survey.parquet')", "microdata"),
    ("nbclient", "polls.build_report('out', 'nowhere')", "notebooks"),
    ("bs4", "polls.read_toplines(__import__('io').StringIO('<html><table></table></html>'))",
     "html"),
    ("formulaic", "polls.SurveyDesign(__import__('pandas').DataFrame({'y': [1.0, 2.0]}))"
                  ".glm('y ~ 1')", "survey"),
]


@pytest.mark.parametrize(("module", "call", "extra"), FEATURES,
                         ids=[f"{m}-{e}" for m, _, e in FEATURES])
def test_a_missing_optional_library_names_its_extra(tmp_path, module, call, extra):
    (tmp_path / "survey.sav").write_bytes(b"$FL2")
    (tmp_path / "survey.parquet").write_bytes(b"PAR1")
    import polls

    code = MISSING.format(module=module, call=call)
    env = {**os.environ, "PYTHONPATH": str(Path(polls.__file__).parents[1])}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=tmp_path, env=env, check=True)
    assert f'pip install "polls[{extra}]"' in run.stdout, run.stdout + run.stderr
    assert run.stdout.startswith("MissingExtraError")


def test_polls_report_without_the_notebooks_extra_says_what_to_install(tmp_path):
    import polls

    code = ("import sys; sys.modules['nbclient'] = None; from polls.cli import main; "
            "sys.exit(main(['report', '--output', 'out']))")
    env = {**os.environ, "PYTHONPATH": str(Path(polls.__file__).parents[1])}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=tmp_path, env=env)
    assert run.returncode == 2
    assert run.stderr.startswith("polls: building the notebooks report needs nbclient")
    assert 'pip install "polls[notebooks]"' in run.stderr and "Traceback" not in run.stderr
