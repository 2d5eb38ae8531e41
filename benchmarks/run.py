"""Measure how fast derive verifies and typesets the sheet, and write the results as JSON.

Run from the repository root:

    python benchmarks/run.py [--quick] [--repeat 5] [--json benchmarks/results.json]

It measures, in one run: a cold `derive build` and a cold `derive check` (each a new
process), the build and check time of every answer with the slowest claims, the
layer-norm Jacobian check at explicit sizes with `derive.fastcheck` against a naive
`simplify(J - stated)` baseline, the time to reject wrong stated forms, and the peak
memory of the cold build. It is a measurement, not a test: it never fails on a slow
result. See benchmarks/README.md for the recorded runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCHEMA_VERSION = 1
REPOSITORY = Path(__file__).resolve().parent.parent

ENGINE_SIZES = (2, 4, 8, 16, 32, 64)
BASELINE_SIZES = (2, 4, 6, 8)
QUICK_ENGINE_SIZES = (2, 4)
QUICK_BASELINE_SIZES = (2,)
# The quick run checks and builds this answer only, because the whole sheet takes minutes.
QUICK_ANSWERS = ("7",)
SLOWEST_CLAIMS = 10

TARGETS = {
    "build_cold_seconds": 3.0,
    "layer_norm_n64_seconds": 1.0,
    "speedup_n8": 100.0,
    "build_peak_rss_mb": 300.0,
}


# --- child processes --------------------------------------------------------------------------


def run_child(arguments: list[str], cache_dir: Path | None = None) -> dict:
    """Run a Python child process to completion; return its wall time, exit code and peak RSS.

    The peak RSS comes from `os.wait4`, the rusage of exactly this child, so earlier
    children do not raise it (RUSAGE_CHILDREN would report the maximum over all of them).
    """
    environment = dict(os.environ)
    if cache_dir is not None:
        environment["DERIVE_CACHE_DIR"] = str(cache_dir)
    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, *arguments], cwd=REPOSITORY, stdout=output, stderr=subprocess.STDOUT, env=environment
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        tail = output.read().decode("utf-8", "replace").strip().splitlines()[-3:]
    # Linux reports ru_maxrss in kilobytes.
    return {
        "seconds": seconds,
        "exit_code": process.returncode,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "output_tail": tail,
    }


def _cli(arguments: list[str]) -> list[str]:
    return ["-c", "import sys; from derive.cli import main; sys.exit(main(sys.argv[1:]))", *arguments]


def _build_only(answer_ids: tuple[str, ...], out_dir: Path, cache: bool) -> list[str]:
    # `derive build` has no answer selection, so the quick run calls build_outputs directly.
    cache_value = "ProofCache.from_environment()" if cache else "None"
    code = (
        "from pathlib import Path; from derive.build import build_outputs; from derive.cache import ProofCache; "
        "from derive.registry import get_paper; from derive.verify import CheckSettings; "
        f"build_outputs(get_paper('ep2'), Path({str(out_dir)!r}), CheckSettings(), ids={list(answer_ids)!r}, "
        f"cache={cache_value})"
    )
    return ["-c", code]


def measure_sheet(repeat: int, answers: tuple[str, ...]) -> dict:
    """Time cold `derive build` and `derive check` processes, without and with a warm proof cache."""
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="derive-bench-") as folder:
        root = Path(folder)

        def build_arguments(out_dir: Path, cache: bool) -> list[str]:
            if answers:
                return _build_only(answers, out_dir, cache)
            return _cli(["build", "--out", str(out_dir)] + ([] if cache else ["--no-cache"]))

        def check_arguments(cache: bool) -> list[str]:
            return _cli(["check", "--quiet", *answers] + ([] if cache else ["--no-cache"]))

        # Without a cache: an empty cache folder per run, so nothing can be served from it.
        builds = [run_child(build_arguments(root / f"out{run}", cache=False), cache_dir=root / f"empty{run}") for run in range(repeat)]
        checks = [run_child(check_arguments(cache=False), cache_dir=root / f"empty-check{run}") for run in range(repeat)]
        results["build_cold"] = _summarise(builds)
        results["check_cold"] = _summarise(checks)

        # With a warm cache: one filling run, then the measured runs.
        warm = root / "warm-cache"
        run_child(check_arguments(cache=True), cache_dir=warm)
        warm_builds = [run_child(build_arguments(root / f"warm-out{run}", cache=True), cache_dir=warm) for run in range(repeat)]
        results["build_warm_cache"] = _summarise(warm_builds)
    return results


def _summarise(runs: list[dict]) -> dict:
    return {
        "median_seconds": statistics.median(run["seconds"] for run in runs),
        "runs_seconds": [round(run["seconds"], 3) for run in runs],
        "exit_codes": [run["exit_code"] for run in runs],
        "peak_rss_mb": max(run["peak_rss_mb"] for run in runs),
        "output_tail": runs[-1]["output_tail"],
    }


# --- per answer -------------------------------------------------------------------------------


def measure_answers(answers: tuple[str, ...]) -> dict:
    """Build and check every answer in one child process; return its JSON report."""
    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        child = run_child([str(Path(__file__).resolve()), "--answers-child", report.name, *answers])
        text = Path(report.name).read_text() or "{}"
    data = json.loads(text)
    data["child_exit_code"] = child["exit_code"]
    return data


def answers_child(report_path: str, answer_ids: list[str]) -> None:
    """Build and check each answer, in paper order, and write per-answer and per-claim times."""
    from derive.registry import get_paper
    from derive.verify import DEFAULT_SETTINGS

    from derive.check import ClaimResult

    paper = get_paper("ep2")
    answers = []
    claims = []
    selection = []
    results = []
    for answer in paper.answers:
        if answer_ids and answer.number not in answer_ids:
            continue
        started = time.perf_counter()
        try:
            parts = answer.parts
        except Exception as error:  # noqa: BLE001 - an answer that fails to build is reported, not fatal
            answers.append({"answer": answer.number, "error": f"{type(error).__name__}: {error}"})
            continue
        built = time.perf_counter() - started
        started = time.perf_counter()
        count = 0
        for part in parts:
            selection.append((answer, part))
            for claim in part.all_claims():
                verdict = claim.check(DEFAULT_SETTINGS)
                results.append(ClaimResult(part, claim, verdict))
                count += 1
                claims.append(
                    {
                        "claim": claim.id,
                        "answer": answer.number,
                        "seconds": round(verdict.seconds, 4),
                        "method": verdict.method.name,
                    }
                )
        answers.append(
            {
                "answer": answer.number,
                "build_seconds": round(built, 3),
                "check_seconds": round(time.perf_counter() - started, 3),
                "claims": count,
            }
        )
    claims.sort(key=lambda item: item["seconds"], reverse=True)
    report = {"answers": answers, "slowest_claims": claims[:SLOWEST_CLAIMS]}
    report["render_seconds"] = _render_seconds(paper, selection, results) if selection else None
    Path(report_path).write_text(json.dumps(report))


def _render_seconds(paper, selection: list, results: list) -> float:
    """Time rendering the LaTeX documents of the checked parts from their verdicts."""
    from derive.build import render_outputs

    started = time.perf_counter()
    render_outputs(paper, selection, results)
    return round(time.perf_counter() - started, 3)


def measure_imports(repeat: int) -> dict:
    """Time new processes that only import SymPy, and that import derive's command line."""
    sympy_runs = [run_child(["-c", "import sympy"])["seconds"] for _ in range(repeat)]
    cli_runs = [run_child(["-c", "import derive.cli, derive.papers.ep2"])["seconds"] for _ in range(repeat)]
    return {"import_sympy_seconds": statistics.median(sympy_runs), "import_derive_cli_seconds": statistics.median(cli_runs)}


# --- layer-norm Jacobian ------------------------------------------------------------------------


def _wrong_forms():
    import sympy as sp

    from derive.papers.ep2 import q4

    def variant(scale, sign):
        outer = sp.MatAdd(q4.ONES * q4.ONES.T, sp.MatMul(sign, q4.Y_HAT * q4.Y_HAT.T))
        return sp.MatMul(1 / q4.SIGMA, sp.MatAdd(sp.Identity(q4.n), sp.MatMul(-scale, outer)))

    return {
        "one_over_n_minus_1": variant(1 / (q4.n - 1), 1),
        "variance_term_missing": q4.FIXED_SIGMA_STATED,
        "sign_flipped": variant(1 / q4.n, -1),
    }


def _layer_form(expr, size: int):
    import sympy as sp

    from derive.calculus import vector
    from derive.fastcheck import MatrixForm
    from derive.papers.ep2 import q4

    inputs = vector("y", size)
    return MatrixForm(
        expr,
        q4.n,
        size,
        scalars={q4.SIGMA: q4.standard_deviation(inputs), q4.MU: q4.mean(inputs)},
        matrices={"y": inputs, "yhat": q4.normalise(inputs), "1": sp.ones(size, 1)},
    )


def _engine_once(size: int, form_expr) -> tuple[float, str]:
    """Check the layer-norm Jacobian at `size` from scratch (SymPy's cache cleared) with derive.fastcheck."""
    from sympy.core.cache import clear_cache

    from derive.calculus import vector
    from derive.fastcheck import check_jacobian
    from derive.papers.ep2 import q4

    clear_cache()
    started = time.perf_counter()
    inputs = vector("y", size)
    verdict = check_jacobian(q4.normalise(inputs), inputs, _layer_form(form_expr, size), label=f"bench-n{size}")
    return time.perf_counter() - started, verdict.method.name


def _baseline_once(size: int, form_expr, timeout: float) -> tuple[float | None, str]:
    """Build the symbolic Jacobian and the stated matrix, and run simplify(J - stated); None on timeout."""
    import sympy as sp
    from sympy.core.cache import clear_cache

    from derive.calculus import instantiate, vector
    from derive.errors import BudgetExceeded
    from derive.papers.ep2 import q4
    from derive.verify import time_budget

    clear_cache()
    started = time.perf_counter()
    try:
        with time_budget(timeout):
            inputs = vector("y", size)
            jacobian = q4.layer_norm_jacobian(size)
            replacements = {"y": inputs, "yhat": q4.normalise(inputs), "1": sp.ones(size, 1)}
            scaled = form_expr.xreplace({q4.SIGMA: q4.standard_deviation(inputs), q4.MU: q4.mean(inputs)})
            stated = instantiate(scaled, q4.n, size, replacements)
            difference = sp.simplify(jacobian - stated)
            outcome = "zero" if difference.is_zero_matrix else "nonzero"
    except BudgetExceeded:
        return None, "timed out"
    return time.perf_counter() - started, outcome


def measure_layer_norm(engine_sizes, baseline_sizes, repeat: int, baseline_timeout: float) -> list[dict]:
    """Time the engine's check and the naive baseline, accepting the right form and rejecting wrong ones."""
    from derive.papers.ep2 import q4

    wrong = _wrong_forms()
    rows = []
    for size in sorted(set(engine_sizes) | set(baseline_sizes)):
        row: dict = {"n": size}
        if size in engine_sizes:
            accepted = [_engine_once(size, q4.LAYER_NORM_STATED) for _ in range(repeat)]
            row["engine_accept_seconds"] = statistics.median(seconds for seconds, _ in accepted)
            row["engine_accept_verdict"] = accepted[-1][1]
            row["engine_reject_seconds"] = {}
            row["engine_reject_verdicts"] = {}
            for name, expr in wrong.items():
                rejected = [_engine_once(size, expr) for _ in range(repeat)]
                row["engine_reject_seconds"][name] = statistics.median(seconds for seconds, _ in rejected)
                row["engine_reject_verdicts"][name] = rejected[-1][1]
        if size in baseline_sizes:
            seconds, outcome = _baseline_once(size, q4.LAYER_NORM_STATED, baseline_timeout)
            row["baseline_accept_seconds"] = seconds
            row["baseline_accept_outcome"] = outcome
            seconds, outcome = _baseline_once(size, wrong["variance_term_missing"], baseline_timeout)
            row["baseline_reject_seconds"] = seconds
            row["baseline_reject_outcome"] = outcome
            row["baseline_timeout_seconds"] = baseline_timeout
            if "engine_accept_seconds" in row:
                row["speedup_accept"] = _ratio(row["baseline_accept_seconds"], row["engine_accept_seconds"], baseline_timeout)
                row["speedup_reject"] = _ratio(
                    row["baseline_reject_seconds"], row["engine_reject_seconds"]["variance_term_missing"], baseline_timeout
                )
        rows.append(row)
    return rows


def _ratio(baseline: float | None, engine: float, timeout: float) -> dict:
    """Return baseline / engine; a timed-out baseline gives a lower bound (timeout / engine)."""
    if baseline is None:
        return {"value": timeout / engine, "lower_bound": True}
    return {"value": baseline / engine, "lower_bound": False}


# --- report -------------------------------------------------------------------------------------


def machine() -> dict:
    import sympy

    return {
        "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "sympy": sympy.__version__,
        "platform": platform.platform(),
        "load_average_1m_at_start": os.getloadavg()[0],
    }


def evaluate_targets(report: dict) -> dict:
    """Compare the measurements with the targets; a quick run measures too little to judge them."""
    if report["quick"]:
        return {name: {"target": limit, "measured": None, "met": None} for name, limit in TARGETS.items()}
    sheet = report["sheet"]
    n64 = next((row for row in report["layer_norm"] if row["n"] == 64), None)
    n8 = next((row for row in report["layer_norm"] if row["n"] == 8), None)
    measured = {
        "build_cold_seconds": sheet["build_cold"]["median_seconds"],
        "layer_norm_n64_seconds": (
            max([n64["engine_accept_seconds"], *n64["engine_reject_seconds"].values()]) if n64 else None
        ),
        "speedup_n8": n8["speedup_accept"]["value"] if n8 and "speedup_accept" in n8 else None,
        "build_peak_rss_mb": sheet["build_cold"]["peak_rss_mb"],
    }
    targets = {}
    for name, limit in TARGETS.items():
        value = measured[name]
        if value is None:
            met = None
        elif name == "speedup_n8":
            met = value >= limit
        else:
            met = value <= limit
        targets[name] = {"target": limit, "measured": value, "met": met}
    return targets


def format_table(report: dict) -> str:
    lines = [f"derive benchmark, {report['machine']['date_utc']}, nproc {report['machine']['nproc']}, "
             f"Python {report['machine']['python']}, SymPy {report['machine']['sympy']}, "
             f"load {report['machine']['load_average_1m_at_start']:.1f}"]
    lines.append("")
    lines.append(f"{'sheet':<28}{'median s':>10}{'peak MB':>10}  exit codes")
    for name, entry in report["sheet"].items():
        lines.append(f"{name:<28}{entry['median_seconds']:>10.2f}{entry['peak_rss_mb']:>10.0f}  {entry['exit_codes']}")
    lines.append("")
    lines.append(f"{'answer':<8}{'build s':>10}{'check s':>10}{'claims':>8}")
    for entry in report["answers"].get("answers", []):
        if "error" in entry:
            lines.append(f"{entry['answer']:<8}  error: {entry['error']}")
        else:
            lines.append(f"{entry['answer']:<8}{entry['build_seconds']:>10.2f}{entry['check_seconds']:>10.2f}{entry['claims']:>8}")
    answers = report["answers"]
    built = [entry for entry in answers.get("answers", []) if "error" not in entry]
    lines.append(
        f"{'total':<8}{sum(entry['build_seconds'] for entry in built):>10.2f}"
        f"{sum(entry['check_seconds'] for entry in built):>10.2f}{sum(entry['claims'] for entry in built):>8}"
    )
    render = answers.get("render_seconds")
    lines.append(f"LaTeX rendering: {'-' if render is None else f'{render:.2f} s'}; "
                 f"process importing SymPy only: {report['imports']['import_sympy_seconds']:.2f} s, "
                 f"importing derive's CLI: {report['imports']['import_derive_cli_seconds']:.2f} s")
    lines.append("")
    lines.append("slowest claims")
    for entry in report["answers"].get("slowest_claims", []):
        lines.append(f"  {entry['seconds']:>8.2f} s  {entry['claim']}  ({entry['method']})")
    lines.append("")
    lines.append(
        f"{'n':>4}{'engine ok s':>13}{'engine reject s':>17}{'naive ok s':>12}{'naive reject s':>16}{'speedup':>10}"
    )
    for row in report["layer_norm"]:
        engine = f"{row['engine_accept_seconds']:.3f}" if "engine_accept_seconds" in row else "-"
        reject = f"{max(row['engine_reject_seconds'].values()):.3f}" if "engine_reject_seconds" in row else "-"
        naive = _shown(row, "baseline_accept_seconds")
        naive_reject = _shown(row, "baseline_reject_seconds")
        speedup = "-"
        if "speedup_accept" in row:
            prefix = ">" if row["speedup_accept"]["lower_bound"] else ""
            speedup = f"{prefix}{row['speedup_accept']['value']:.0f}x"
        lines.append(f"{row['n']:>4}{engine:>13}{reject:>17}{naive:>12}{naive_reject:>16}{speedup:>10}")
    lines.append("")
    lines.append("targets")
    for name, entry in report["targets"].items():
        shown = "-" if entry["measured"] is None else f"{entry['measured']:.3g}"
        status = {True: "met", False: "NOT met", None: "not measured"}[entry["met"]]
        lines.append(f"  {name:<26} target {entry['target']:<6g} measured {shown:<10} {status}")
    return "\n".join(lines)


def _shown(row: dict, key: str) -> str:
    if key not in row:
        return "-"
    if row[key] is None:
        return f">{row['baseline_timeout_seconds']:g}"
    return f"{row[key]:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark derive: sheet build, per-answer checks, layer-norm Jacobians.")
    parser.add_argument("--quick", action="store_true", help="smallest sizes and answer 7 only, for the smoke test")
    parser.add_argument("--repeat", type=int, default=5, help="runs per timed item; the median is reported (default: 5)")
    parser.add_argument(
        "--sheet-repeat",
        type=int,
        default=None,
        help="runs of each cold build and check of the whole sheet (default: --repeat)",
    )
    parser.add_argument("--json", type=Path, default=None, help="write the results to this JSON file")
    parser.add_argument(
        "--baseline-timeout",
        type=float,
        default=120.0,
        help="seconds before the naive simplify baseline is stopped at one size (default: %(default)s)",
    )
    parser.add_argument("--answers-child", nargs="+", default=None, help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    if arguments.answers_child is not None:
        answers_child(arguments.answers_child[0], arguments.answers_child[1:])
        return 0
    if arguments.repeat < 1:
        parser.error(f"--repeat must be at least 1, got {arguments.repeat}")

    answers = QUICK_ANSWERS if arguments.quick else ()
    engine_sizes = QUICK_ENGINE_SIZES if arguments.quick else ENGINE_SIZES
    baseline_sizes = QUICK_BASELINE_SIZES if arguments.quick else BASELINE_SIZES
    report = {"schema": SCHEMA_VERSION, "quick": arguments.quick, "repeat": arguments.repeat, "machine": machine()}
    sheet_repeat = arguments.sheet_repeat or arguments.repeat
    report["sheet_repeat"] = sheet_repeat
    report["sheet"] = measure_sheet(sheet_repeat, answers)
    report["imports"] = measure_imports(arguments.repeat)
    report["answers"] = measure_answers(answers)
    report["layer_norm"] = measure_layer_norm(engine_sizes, baseline_sizes, arguments.repeat, arguments.baseline_timeout)
    report["targets"] = evaluate_targets(report)
    print(format_table(report))
    if arguments.json is not None:
        arguments.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
