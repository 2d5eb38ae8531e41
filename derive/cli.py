"""The `derive` command line: list, check, show and build.

Exit codes: 0 when everything asked for holds, 1 when a claim is false or
undecided (or a build fails), 2 on a usage error such as an unknown id.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from derive.errors import DeriveError, UsageError
from derive.cache import CACHE_DIR_ENV, DEFAULT_CACHE_DIR, NO_CACHE_ENV
from derive.verify import CheckSettings

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def _add_check_options(parser: argparse.ArgumentParser) -> None:
    defaults = CheckSettings()
    parser.add_argument("--paper", default=None, help="paper id, or module[:attribute] defining a Paper (default: ep2)")
    parser.add_argument("--seed", type=int, default=defaults.seed, help="seed of the random test points (default: %(default)s)")
    parser.add_argument(
        "--points", type=int, default=defaults.points, help="exact random points per claim (default: %(default)s)"
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=defaults.budget_seconds,
        help="seconds of symbolic reduction per claim before falling back to point evidence (default: %(default)s)",
    )


def _add_cache_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help=f"decide every claim afresh, without reading or writing the proof cache "
        f"(default folder {DEFAULT_CACHE_DIR}, or ${CACHE_DIR_ENV}; ${NO_CACHE_ENV}=1 also disables it)",
    )


def _cache(arguments: argparse.Namespace):
    from derive.cache import ProofCache

    # NOTE: the cache is on by default; CI and the test suite should pass --no-cache or set
    # DERIVE_NO_CACHE=1, so that every run decides every claim afresh.
    if arguments.no_cache or os.environ.get(NO_CACHE_ENV, "") not in ("", "0"):
        return None
    return ProofCache.from_environment()


def _settings(arguments: argparse.Namespace) -> CheckSettings:
    if arguments.points < 1:
        raise UsageError(f"--points must be at least 1, got {arguments.points}")
    if arguments.budget <= 0:
        raise UsageError(f"--budget must be a positive number of seconds, got {arguments.budget}")
    return CheckSettings(points=arguments.points, seed=arguments.seed, budget_seconds=arguments.budget)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="derive",
        description="Verify the worked answers of an examples paper and typeset them as LaTeX.",
    )
    parser.add_argument("--traceback", action="store_true", help="show a full traceback on internal errors")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    listing = commands.add_parser("list", help="list the answers and parts with their ids")
    listing.add_argument("--paper", default=None, help="paper id, or module[:attribute] defining a Paper (default: ep2)")

    check = commands.add_parser("check", help="verify answers and print one line per claim")
    check.add_argument("ids", nargs="*", metavar="ID", help="answer or part ids such as 1 or 4b (default: all)")
    check.add_argument("--quiet", action="store_true", help="print failures and the summary only")
    _add_check_options(check)
    _add_cache_option(check)

    show = commands.add_parser("show", help="print one part's derivations and claims in the terminal")
    show.add_argument("id", metavar="ID", help="answer or part id such as 1a")
    show.add_argument("--paper", default=None, help="paper id, or module[:attribute] defining a Paper (default: ep2)")
    show.add_argument(
        "--check", action="store_true", help="check the claims and show each verdict and each derivation step's method"
    )

    mutate = commands.add_parser(
        "mutate", help="check that wrong variants of every stated form are rejected, and print the kill rate"
    )
    mutate.add_argument("ids", nargs="*", metavar="ID", help="answer or part ids such as 1 or 4b (default: all)")
    mutate.add_argument("--paper", default=None, help="paper id, or module[:attribute] defining a Paper (default: ep2)")
    mutate.add_argument("--verbose", action="store_true", help="print every mutant, not only survivors")

    build = commands.add_parser("build", help="verify everything, then write the LaTeX sheet")
    build.add_argument("paper_id", nargs="?", default=None, metavar="PAPER", help="paper id, or module[:attribute] defining a Paper (default: ep2)")
    build.add_argument("--out", type=Path, default=Path("outputs"), help="output folder (default: %(default)s)")
    defaults = CheckSettings()
    build.add_argument("--seed", type=int, default=defaults.seed, help="seed of the random test points (default: %(default)s)")
    build.add_argument("--points", type=int, default=defaults.points, help="exact random points per claim (default: %(default)s)")
    build.add_argument("--budget", type=float, default=defaults.budget_seconds, help="symbolic budget per claim in seconds (default: %(default)s)")
    build.add_argument(
        "--pdf",
        action="store_true",
        help="also compile sheet.pdf with latexmk or pdflatex (without TeX, only the .tex files are written)",
    )
    _add_cache_option(build)
    _add_crosscheck_parser(commands)
    return parser


def _add_crosscheck_parser(commands: argparse._SubParsersAction) -> None:
    from derive.crosscheck import DEFAULT_SEED, INSTALL_HINT

    crosscheck = commands.add_parser(
        "crosscheck",
        help="compare the sheet's expressions numerically with PyTorch and scikit-learn",
        description=(
            "Evaluate the sheet's expressions in float64 at seeded random points and compare them with "
            f"PyTorch and scikit-learn. Needs the crosscheck extra: {INSTALL_HINT}. "
            "Exit status: 0 when every comparison holds, 1 when one fails or an answer is not available, "
            "2 when a package is missing or an id is unknown."
        ),
    )
    crosscheck.add_argument("ids", nargs="*", metavar="ID", help="answer or part ids such as 1 or 3b (default: all)")
    crosscheck.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help="seed of the random test points (default: %(default)s)"
    )


def _paper(paper_id: str | None):
    """Load a paper by id, or from a module (``package.module`` or ``module:attribute``).

    A module is imported like pytest imports test modules: the current folder is
    searched too, so a course repository can run ``derive check --paper mysheet``.
    """
    from derive.api import load_paper
    from derive.registry import DEFAULT_PAPER

    if paper_id and os.getcwd() not in sys.path:
        sys.path.append(os.getcwd())
    return load_paper(paper_id or DEFAULT_PAPER)


def command_list(arguments: argparse.Namespace) -> int:
    paper = _paper(arguments.paper)
    print(f"{paper.id}: {paper.course}, {paper.title}")
    for answer in paper.answers:
        parts = ", ".join(answer.part_ids)
        print(f"  {answer.number:<3} {answer.title}  [parts: {parts}]")
    return EXIT_OK


def command_check(arguments: argparse.Namespace) -> int:
    from derive.check import check_parts
    from derive.registry import select_parts

    settings = _settings(arguments)
    paper = _paper(arguments.paper)
    selected = select_parts(paper, arguments.ids)
    started = time.perf_counter()

    def report(result) -> None:
        if not arguments.quiet or not result.holds:
            print(result.line(), flush=True)

    results = check_parts(selected, settings, on_result=report, cache=_cache(arguments))
    failures = [result for result in results if not result.holds]
    for result in failures:
        print(file=sys.stderr)
        print(result.failure(), file=sys.stderr)
    print(_summary(results, time.perf_counter() - started))
    return EXIT_FAILED if failures else EXIT_OK


def _summary(results, seconds: float) -> str:
    counts: dict[str, int] = {}
    for result in results:
        key = result.verdict.method.value
        if result.verdict.accepted_reason:
            key = "accepted undecided"
        counts[key] = counts.get(key, 0) + 1
    held = sum(1 for result in results if result.holds)
    detail = ", ".join(f"{count} {name}" for name, count in sorted(counts.items()))
    return f"{held} of {len(results)} claims hold ({detail}) in {seconds:.1f} s"


def command_show(arguments: argparse.Namespace) -> int:
    from derive.check import check_parts
    from derive.show import show_parts
    from derive.registry import select_parts

    paper = _paper(arguments.paper)
    selected = select_parts(paper, [arguments.id])
    results = check_parts(selected) if arguments.check else None
    print(show_parts(selected, results))
    if results is not None and not all(result.holds for result in results):
        return EXIT_FAILED
    return EXIT_OK


def command_build(arguments: argparse.Namespace) -> int:
    from derive.build import build_outputs

    settings = _settings(arguments)
    paper = _paper(arguments.paper_id)
    written = build_outputs(
        paper,
        arguments.out,
        settings,
        progress=lambda line: print(line, flush=True),
        pdf=arguments.pdf,
        cache=_cache(arguments),
    )
    for path in written:
        print(f"wrote {path}")
    return EXIT_OK


def command_crosscheck(arguments: argparse.Namespace) -> int:
    from derive.crosscheck import CROSSCHECKS, format_table, run_checks, select, summary

    checks = select(CROSSCHECKS, arguments.ids)
    started = time.perf_counter()
    outcomes = run_checks(checks, seed=arguments.seed, raise_errors=arguments.traceback)
    print(format_table(outcomes))
    print(summary(outcomes, time.perf_counter() - started))
    return EXIT_OK if all(outcome.holds for outcome in outcomes) else EXIT_FAILED


def command_mutate(arguments: argparse.Namespace) -> int:
    from derive.mutate import kill_rate_line, run_mutants
    from derive.registry import select_parts

    paper = _paper(arguments.paper)
    results = run_mutants(select_parts(paper, arguments.ids))
    for result in results:
        if arguments.verbose or not (result.killed or result.equivalent):
            if result.killed:
                status = "killed    "
            elif result.equivalent:
                status = "equivalent"
            else:
                status = "SURVIVED  "
            print(f"{status} {result.claim_id} [{result.mutation}]: {result.verdict.method.value}")
    print(kill_rate_line(results))
    return EXIT_OK if all(result.killed or result.equivalent for result in results) else EXIT_FAILED


COMMANDS = {
    "list": command_list,
    "check": command_check,
    "show": command_show,
    "build": command_build,
    "mutate": command_mutate,
    "crosscheck": command_crosscheck,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    arguments = parser.parse_args(argv)
    try:
        return COMMANDS[arguments.command](arguments)
    except UsageError as error:
        print(f"derive: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except DeriveError as error:
        print(f"derive: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("derive: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`derive check | head`): stop quietly, as other filters do, and keep
        # Python from reporting the closed pipe again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED
    except Exception as error:  # noqa: BLE001 - the last line of defence against a traceback dump
        if arguments.traceback:
            raise
        print(
            f"derive: internal error: {type(error).__name__}: {error} (rerun with --traceback for details)",
            file=sys.stderr,
        )
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
