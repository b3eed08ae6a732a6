"""The ``polls`` command line."""

from __future__ import annotations

import subprocess
import sys

import pytest

import polls
from polls.cli import main


def test_datasets_lists_every_dataset(capsys):
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    names = polls.list_datasets()["name"]
    assert all(name in out for name in names)
    assert f"{len(names)} datasets" in out


def test_datasets_filters_by_country(capsys):
    assert main(["datasets", "--country", "rs"]) == 0
    out = capsys.readouterr().out
    assert "crta-eu-referendum" in out and "levada-war-support" not in out


def test_show_prints_waves_by_responses_in_percent(capsys):
    assert main(["show", "levada-war-support", "--last", "3"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == polls.dataset_info("levada-war-support").title
    header = next(line for line in lines if "support (total)" in line)
    assert header.split()[0] == "n"
    # the last wave in the data (Levada, 18-25 February 2026: 72% support in total)
    last = polls.load_dataset("levada-war-support").iloc[-1]
    assert last["fieldwork_end"].strftime("%Y-%m-%d") == "2026-02-25"
    assert any(line.startswith("2026-02-18..25") and " 72" in line for line in lines)


def test_wide_table_shows_disagreeing_sources_side_by_side():
    frame = polls.load_dataset("levada-war-support", conflicts="all")
    table = polls.wide_table(frame)
    # March 2022 'definitely support': 53 (levada.ru) and 52 (two relays), never averaged
    assert table.loc["2022-03", "definitely support"] in {"53 / 52", "52 / 53"}


def test_info_prints_caveats_and_citation(capsys):
    assert main(["info", "levada-putin-approval"]) == 0
    out = capsys.readouterr().out
    assert "Prime Minister" in out and "Cite as:" in out


def test_unknown_dataset_exits_2_with_a_message(capsys):
    assert main(["show", "levada-war-suport"]) == 2
    err = capsys.readouterr().err
    assert "levada-war-support" in err


def test_console_script_is_installed():
    run = subprocess.run([sys.executable, "-m", "polls.cli", "datasets", "--pollster", "fom"],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert "fom-putin-job-rating" in run.stdout


@pytest.mark.parametrize("argv", [["show"], ["nonsense"]])
def test_bad_usage_exits_with_argparse_error(argv):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2


def test_show_last_counts_dated_waves_and_refuses_non_positive(capsys):
    from polls.cli import main

    # demostat-align-eu-foreign-policy: one dated wave (2022-06-13..22) and undated figures
    assert main(["show", "demostat-align-eu-foreign-policy", "--last", "1"]) == 0
    out = capsys.readouterr().out
    assert "2022-06-13..22" in out and "undated" not in out.split("figures from")[0]
    assert "no fieldwork date are not shown" in out
    for bad in ("0", "-2", "x"):
        with pytest.raises(SystemExit):
            main(["show", "demostat-align-eu-foreign-policy", "--last", bad])
        assert "--last" in capsys.readouterr().err


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "polls.cli", *args], capture_output=True,
                          text=True, check=False)


@pytest.mark.parametrize("args", [
    ["show", "levada-war-suport"],
    ["info", "no-such-dataset"],
    ["nonsense"],
    [],
    ["show"],
    ["datasets", "--bogus"],
    ["show", "levada-war-support", "--last", "x"],
    ["show", "levada-war-support", "--conflicts", "some"],
    ["report", "--workers", "x"],
    ["report", "--workers", "0"],
    ["report", "--notebooks", "/no/such/folder"],
])
def test_every_user_error_is_one_line_and_exit_status_2(args, tmp_path, capsys):
    argv = [*args, *(["--output", str(tmp_path / "out")] if args[:1] == ["report"] else [])]
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse's usage errors leave through SystemExit
        status = exc.code
    out, err = capsys.readouterr()
    assert status == 2, err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("polls: "), err
    assert out == ""


def test_the_installed_command_prints_no_traceback():
    for args in (["show", "levada-war-suport"], ["show"]):
        run = _run(*args)
        assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
        assert len(run.stderr.splitlines()) == 1 and run.stderr.startswith("polls: ")


def test_report_into_an_existing_file_is_refused(tmp_path, capsys):
    target = tmp_path / "index.html"
    target.write_text("keep me", encoding="utf-8")
    assert main(["report", "--output", str(target)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and str(target) in err[0] and "--output" in err[0]
    assert target.read_text(encoding="utf-8") == "keep me"
    # below a file: the operating system refuses, still one line
    assert main(["report", "--output", str(target / "sub")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("polls: ") and str(target) in err[0]


def test_a_closed_pipe_stops_quietly():
    # the reader is gone before the command writes (as `polls datasets | head -1` can be)
    proc = subprocess.Popen([sys.executable, "-m", "polls.cli", "datasets"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 1
    assert err == ""


def test_a_terminal_without_utf8_gets_escapes_not_a_traceback(monkeypatch):
    import io

    # 'NSPM (Nova srpska politička misao)': a letter an ASCII terminal cannot show
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="ascii", errors="strict")
    monkeypatch.setattr(sys, "stdout", out)
    assert main(["info", "nspm-alliance-russia"]) == 0
    out.flush()
    assert "politi\\u010dka" in raw.getvalue().decode("ascii")
