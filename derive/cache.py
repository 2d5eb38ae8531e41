"""A cache of claims that hold, so that an unchanged claim is not decided again.

An entry is keyed by a SHA-256 hash of the claim id (which seeds its random points),
`sympy.srepr` of both sides, the names and descriptions of its rewrites, its index
ranges, its accepted-undecided reason, the check settings, the SymPy and derive
versions, and the source of the engine modules. Changing any of them gives another
key, so a changed claim is decided afresh.

NOTE: `srepr` names a function class (such as a sigmoid defined in an answer module)
but does not include its code, so editing such a class outside `ENGINE_MODULES` does
not invalidate entries; run with --no-cache after such an edit.

Only verdicts that hold on their own evidence (proved, identity-tested, numeric) are
stored; false and undecided verdicts never are. Claims decided by a `decide_with`
function are never cached, because a function cannot be hashed by what it does.
A verdict read back keeps its method and detail, so it says how it was originally
decided, and `extra["cache"] == "hit"` marks that it came from the cache.

Entries are JSON files under ``.derive-cache/`` in the working directory, or under
the folder that the DERIVE_CACHE_DIR environment variable names. The command line
uses the cache unless given --no-cache or DERIVE_NO_CACHE=1; the library functions
use it only when passed a `ProofCache`. Each is written to a
temporary file and renamed into place, so concurrent processes never see a partial
entry; an unreadable or inconsistent entry is ignored and overwritten.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
import time
from fractions import Fraction
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import sympy as sp

from derive.claims import Claim
from derive.verdict import Method, Verdict
from derive.verify import CheckSettings

CACHE_DIR_ENV = "DERIVE_CACHE_DIR"
DEFAULT_CACHE_DIR = ".derive-cache"
# Set to anything but "" or "0" to make the command line skip the cache, as --no-cache does.
NO_CACHE_ENV = "DERIVE_NO_CACHE"
# Bump when the key material or the entry layout changes, so old entries are never read.
FORMAT_VERSION = 1
CACHEABLE = (Method.PROVED, Method.IDENTITY_TESTED, Method.NUMERIC)
# Modules whose code decides verdicts; an edit to any of them invalidates every entry.
ENGINE_MODULES = ("verify.py", "rewrites.py", "verdict.py", "claims.py", "functions.py", "fastcheck.py", "limits.py")


@lru_cache(maxsize=1)
def engine_fingerprint() -> str:
    """Return a SHA-256 of the engine modules' source and the derive and SymPy versions."""
    digest = hashlib.sha256()
    try:
        digest.update(version("derive").encode())
    except PackageNotFoundError:
        digest.update(b"derive (not installed)")
    digest.update(sp.__version__.encode())
    folder = Path(__file__).resolve().parent
    for name in ENGINE_MODULES:
        path = folder / name
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.exists() else b"missing")
    return digest.hexdigest()


def _canonical(value: object) -> str:
    if isinstance(value, (sp.Basic, sp.MatrixBase)):
        return sp.srepr(value)
    if isinstance(value, (int, Fraction)):
        return f"{type(value).__name__}({value})"
    raise TypeError(f"cannot key a claim side of type {type(value).__name__}")


def claim_key(claim: Claim, settings: CheckSettings) -> str | None:
    """Return the cache key of a claim under `settings`, or None when the claim cannot be cached."""
    if claim.decide_with is not None:
        return None
    try:
        material = {
            "format": FORMAT_VERSION,
            "engine": engine_fingerprint(),
            "id": claim.id,
            "obtained": _canonical(claim.obtained),
            "stated": _canonical(claim.stated),
            "rewrites": [[rewrite.name, rewrite.description] for rewrite in claim.rewrites],
            "index_ranges": sorted(
                [sp.srepr(index), sp.srepr(sp.sympify(low)), sp.srepr(sp.sympify(high))]
                for index, (low, high) in claim.index_ranges.items()
            ),
            "accept_undecided": claim.accept_undecided,
            "settings": dataclasses.asdict(settings),
        }
    except TypeError:
        return None
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


class ProofCache:
    """Verdicts of claims that hold, stored as one JSON file per claim key under `folder`."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)

    @classmethod
    def from_environment(cls) -> "ProofCache":
        """Return the cache in DERIVE_CACHE_DIR, or in ``.derive-cache`` of the working directory."""
        return cls(os.environ.get(CACHE_DIR_ENV) or DEFAULT_CACHE_DIR)

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> Verdict | None:
        """Return the stored verdict for `key`, or None when it is missing, unreadable or inconsistent."""
        try:
            entry = json.loads(self._path(key).read_text(encoding="utf-8"))
            if not isinstance(entry, dict) or entry.get("key") != key:
                return None
            method = Method[entry["method"]]
            if method not in CACHEABLE:
                return None
            bound = entry["failure_bound"]
            extra = {str(name): str(value) for name, value in entry["extra"].items()}
            extra["cache"] = "hit"
            extra["original_seconds"] = str(entry["seconds"])
            return Verdict(
                method,
                str(entry["detail"]),
                points=int(entry["points"]),
                failure_bound=Fraction(int(bound[0]), int(bound[1])) if bound is not None else None,
                rewrites=tuple(str(name) for name in entry["rewrites"]),
                seconds=0.0,
                accepted_reason=entry["accepted_reason"],
                extra=extra,
            )
        except (OSError, ValueError, KeyError, TypeError, IndexError, ZeroDivisionError):
            return None

    def put(self, key: str, claim_id: str, verdict: Verdict) -> bool:
        """Store a verdict that holds; return False (and store nothing) for any other verdict."""
        if verdict.method not in CACHEABLE or not verdict.holds:
            return False
        bound = verdict.failure_bound
        entry = {
            "key": key,
            "claim": claim_id,
            "method": verdict.method.name,
            "detail": verdict.detail,
            "points": verdict.points,
            "failure_bound": [bound.numerator, bound.denominator] if bound is not None else None,
            "rewrites": list(verdict.rewrites),
            "seconds": verdict.seconds,
            "accepted_reason": verdict.accepted_reason,
            "extra": {name: value for name, value in verdict.extra.items() if name not in ("cache", "original_seconds")},
            "stored_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                "w", encoding="utf-8", dir=path.parent, prefix=".tmp-", suffix=".json", delete=False
            ) as handle:
                json.dump(entry, handle)
                temporary = Path(handle.name)
            os.replace(temporary, path)
        except OSError:
            # NOTE: a read-only or full disk only costs speed, so the verdict is still returned.
            return False
        return True

    def check(self, claim: Claim, settings: CheckSettings) -> Verdict:
        """Return the cached verdict of `claim`, or decide it with `Claim.check` and store it if it holds."""
        key = claim_key(claim, settings)
        if key is None:
            return claim.check(settings)
        cached = self.get(key)
        if cached is not None:
            return cached
        verdict = claim.check(settings)
        self.put(key, claim.id, verdict)
        return verdict
