"""The benchmark script runs at its smallest sizes and writes well-formed JSON (no speed is asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "run.py"


@pytest.fixture(scope="module")
def quick_report(tmp_path_factory) -> dict:
    output = tmp_path_factory.mktemp("benchmark") / "quick.json"
    completed = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--repeat", "1", "--baseline-timeout", "30", "--json", str(output)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    assert "targets" in completed.stdout
    return json.loads(output.read_text())


def test_report_top_level_keys(quick_report):
    for key in ("schema", "quick", "repeat", "machine", "sheet", "imports", "answers", "layer_norm", "targets"):
        assert key in quick_report, key
    assert quick_report["quick"] is True


def test_report_machine(quick_report):
    machine = quick_report["machine"]
    for key in ("date_utc", "nproc", "python", "sympy", "load_average_1m_at_start"):
        assert key in machine, key


def test_report_sheet_runs_succeed(quick_report):
    for name in ("build_cold", "check_cold", "build_warm_cache"):
        entry = quick_report["sheet"][name]
        assert entry["exit_codes"] == [0], (name, entry["output_tail"])
        assert entry["median_seconds"] > 0
        assert entry["peak_rss_mb"] > 0


def test_report_answers_and_claims(quick_report):
    (answer,) = quick_report["answers"]["answers"]
    assert answer["answer"] == "7"
    assert answer["claims"] > 0
    slowest = quick_report["answers"]["slowest_claims"]
    assert 0 < len(slowest) <= 10
    assert all(entry["claim"].startswith("7/") for entry in slowest)
    assert [entry["seconds"] for entry in slowest] == sorted((entry["seconds"] for entry in slowest), reverse=True)
    assert quick_report["answers"]["render_seconds"] > 0


def test_report_layer_norm_rows(quick_report):
    rows = {row["n"]: row for row in quick_report["layer_norm"]}
    assert sorted(rows) == [2, 4]
    for row in rows.values():
        assert row["engine_accept_verdict"] == "IDENTITY_TESTED"
        assert set(row["engine_reject_verdicts"].values()) == {"FALSE"}
    assert rows[2]["baseline_accept_outcome"] == "zero"
    assert rows[2]["baseline_reject_outcome"] == "nonzero"
    assert rows[2]["speedup_accept"]["value"] > 0


def test_quick_run_judges_no_target(quick_report):
    assert set(quick_report["targets"]) == {
        "build_cold_seconds",
        "layer_norm_n64_seconds",
        "speedup_n8",
        "build_peak_rss_mb",
    }
    assert all(entry["met"] is None for entry in quick_report["targets"].values())
