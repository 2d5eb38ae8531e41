"""Compile a LaTeX document to PDF with latexmk, or with pdflatex when latexmk is missing.

Compilation happens in a temporary directory; the caller receives the PDF's
bytes only when the engine succeeded, so a failed run never touches the
output folder. The environment sets ``SOURCE_DATE_EPOCH`` and
``FORCE_SOURCE_DATE=1`` and the sheet's preamble omits pdfTeX's dates and
trailer id, so the same source gives a byte-identical PDF on the same TeX
installation.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from derive.errors import LatexBuildError

INSTALL_HINT = (
    "apt-get install texlive-latex-base texlive-latex-recommended texlive-fonts-recommended "
    "texlive-pictures latexmk"
)
NO_ENGINE_MESSAGE = f"no TeX engine found (pdflatex is not on PATH), so no PDF was made; install one with: {INSTALL_HINT}"

# Wall-clock limit of one engine run, in seconds (answer 1 alone compiles in about 2 s).
TIMEOUT_SECONDS = 300.0
# Used when the caller's environment sets no SOURCE_DATE_EPOCH (1 January 2000, UTC).
DEFAULT_SOURCE_DATE_EPOCH = "946684800"
# Maximum pdflatex runs when latexmk is missing; a second run settles references.
_PDFLATEX_RUNS = 3
_PDFLATEX_OPTIONS = ("-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape")
_RERUN = re.compile(r"Rerun to get|Label\(s\) may have changed")
_LOG_LINE_NUMBER = re.compile(r"^l\.(\d+)")


@dataclass(frozen=True)
class Engine:
    """A TeX front end: `name` is ``latexmk`` or ``pdflatex``, `path` the program found on PATH."""

    name: str
    path: str


def find_engine() -> Engine | None:
    """Return latexmk when it and pdflatex are on PATH, pdflatex alone otherwise, or None."""
    pdflatex = shutil.which("pdflatex")
    if pdflatex is None:
        return None
    latexmk = shutil.which("latexmk")
    if latexmk is not None:
        return Engine("latexmk", latexmk)
    return Engine("pdflatex", pdflatex)


def reproducible_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return `base` (default: this process's environment) with the variables that fix pdfTeX's dates."""
    environment = dict(os.environ if base is None else base)
    environment.setdefault("SOURCE_DATE_EPOCH", DEFAULT_SOURCE_DATE_EPOCH)
    environment["FORCE_SOURCE_DATE"] = "1"
    return environment


def _command(engine: Engine, tex_name: str) -> list[str]:
    if engine.name == "latexmk":
        pdflatex = "pdflatex " + " ".join(_PDFLATEX_OPTIONS) + " %O %S"
        return [engine.path, "-norc", "-pdf", f"-pdflatex={pdflatex}", tex_name]
    return [engine.path, *_PDFLATEX_OPTIONS, tex_name]


def compile_pdf(source: str, engine: Engine, jobname: str = "sheet", timeout: float = TIMEOUT_SECONDS) -> bytes:
    """Compile `source` in a temporary directory and return the PDF's bytes.

    Raises `LatexBuildError` with the log lines that matter (the ``!`` lines and
    the ``l.NNN`` context, with the source line they point to) when the engine
    fails or produces no PDF, and when it runs longer than `timeout` seconds.
    """
    with tempfile.TemporaryDirectory(prefix="derive-tex-") as folder:
        directory = Path(folder)
        tex_name = f"{jobname}.tex"
        (directory / tex_name).write_text(source, encoding="utf-8")
        environment = reproducible_environment()
        # latexmk reruns pdflatex itself, so only plain pdflatex is rerun here, while its log has a rerun warning.
        runs = _PDFLATEX_RUNS if engine.name == "pdflatex" else 1
        for _ in range(runs):
            completed = _run(_command(engine, tex_name), directory, environment, timeout, engine, tex_name)
            log = _read_log(directory / f"{jobname}.log", completed.stdout)
            if completed.returncode != 0 or not (directory / f"{jobname}.pdf").exists():
                raise LatexBuildError(failure_report(engine.name, tex_name, completed.returncode, log, source))
            if not _RERUN.search(log):
                break
        return (directory / f"{jobname}.pdf").read_bytes()


def _run(
    command: list[str], directory: Path, environment: dict[str, str], timeout: float, engine: Engine, tex_name: str
) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            command,
            cwd=directory,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise LatexBuildError(f"{engine.name} timed out after {timeout:g} s compiling {tex_name}") from error


def _read_log(path: Path, fallback: str) -> str:
    if path.exists():
        return path.read_text(encoding="utf-8", errors="replace")
    return fallback


def error_lines(log: str) -> list[str]:
    """Return the ``!`` lines of a TeX log, each error's ``l.NNN`` line, and the line after it.

    The line after ``l.NNN`` contains the rest of the input line, past the point
    where TeX stopped. pdfTeX's closing "Fatal error occurred" line is left out.
    """
    lines = log.splitlines()
    selected: list[str] = []
    for index, line in enumerate(lines):
        if line.startswith("!") and "Fatal error occurred" not in line:
            selected.append(line)
        elif _LOG_LINE_NUMBER.match(line):
            selected.append(line)
            if index + 1 < len(lines) and lines[index + 1].strip():
                selected.append(lines[index + 1])
    return selected


def failure_report(engine_name: str, tex_name: str, status: int, log: str, source: str) -> str:
    """Format the message of a failed compilation: the error lines, and the source lines they point to."""
    lines = error_lines(log)
    if not lines:
        tail = [line for line in log.splitlines() if line.strip()][-20:]
        return f"{engine_name} failed on {tex_name} (exit status {status}) without a TeX error line; the log ends:\n" + "\n".join(tail)
    source_lines = source.splitlines()
    report = [f"{engine_name} failed on {tex_name} (exit status {status}):", *lines]
    for line in lines:
        match = _LOG_LINE_NUMBER.match(line)
        if match is None:
            continue
        number = int(match.group(1))
        if 1 <= number <= len(source_lines):
            report.append(f"{tex_name} line {number}: {source_lines[number - 1]}")
    return "\n".join(report)
