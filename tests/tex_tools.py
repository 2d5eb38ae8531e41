"""Helpers for tests that run TeX: the missing-TeX policy and a blank-page check."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from derive.texbuild import INSTALL_HINT


def require_programs(*programs: str) -> None:
    """Skip the calling test when a program is not on PATH, or fail it when CI is set.

    CI must run the LaTeX tests, so there a missing TeX program is a failure
    whose message names TeX; on a developer's machine the test is skipped.
    """
    missing = [program for program in programs if shutil.which(program) is None]
    if not missing:
        return
    names = ", ".join(missing)
    if os.environ.get("CI"):
        pytest.fail(f"TeX is missing: {names} not found on PATH; install it with: {INSTALL_HINT}", pytrace=False)
    pytest.skip(f"{names} not found on PATH")


def read_pgm(path: Path) -> tuple[int, int, bytes]:
    """Return width, height and the 8-bit pixels of a binary PGM (P5) file."""
    data = path.read_bytes()
    fields: list[bytes] = []
    position = 0
    while len(fields) < 4:
        while data[position : position + 1].isspace():
            position += 1
        if data[position : position + 1] == b"#":
            position = data.index(b"\n", position) + 1
            continue
        end = position
        while not data[end : end + 1].isspace():
            end += 1
        fields.append(data[position:end])
        position = end
    magic, width, height, maximum = fields
    assert magic == b"P5", f"{path} is not a binary PGM file (magic {magic!r})"
    assert int(maximum) < 256, f"{path} has 16-bit pixels (maximum {int(maximum)})"
    pixels = data[position + 1 :]
    return int(width), int(height), pixels


def first_page_dark_pixels(pdf: Path, folder: Path) -> tuple[int, int]:
    """Render page 1 of `pdf` in grey at 40 dpi with pdftoppm; return (dark pixels, all pixels)."""
    prefix = folder / "page"
    subprocess.run(
        ["pdftoppm", "-f", "1", "-l", "1", "-r", "40", "-gray", "-singlefile", str(pdf), str(prefix)],
        check=True,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
    )
    width, height, pixels = read_pgm(prefix.with_suffix(".pgm"))
    dark = sum(1 for value in pixels[: width * height] if value < 128)
    return dark, width * height
