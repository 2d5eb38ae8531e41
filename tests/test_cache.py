"""The proof cache: only holding verdicts are stored, and a changed claim is never served from it."""

from __future__ import annotations

import dataclasses
import json
from fractions import Fraction

import pytest
import sympy as sp

from derive.cache import ProofCache, claim_key
from derive.check import ClaimResult, check_parts
from derive.claims import Claim
from derive.cli import main
from derive.paper import Part
from derive.rewrites import EXPAND_LOG
from derive.verdict import Method, Verdict
from derive.verify import CheckSettings

x, y = sp.symbols("x y", positive=True)
SETTINGS = CheckSettings()


def square_claim(stated: sp.Expr = x**2 + 2 * x * y + y**2, claim_id: str = "square") -> Claim:
    return Claim(id=claim_id, statement="(x + y)^2 expands", obtained=(x + y) ** 2, stated=stated)


def entry_files(cache: ProofCache) -> list:
    return sorted(cache.folder.rglob("*.json"))


def test_holding_verdict_is_served_from_cache(tmp_path):
    cache = ProofCache(tmp_path)
    first = cache.check(square_claim(), SETTINGS)
    second = cache.check(square_claim(), SETTINGS)
    assert first.method is Method.PROVED
    assert "cache" not in first.extra
    assert second.method is Method.PROVED
    assert second.detail == first.detail
    assert second.points == first.points
    assert second.extra["cache"] == "hit"


def test_false_verdict_is_never_stored(tmp_path):
    cache = ProofCache(tmp_path)
    verdict = cache.check(square_claim(stated=x**2 + y**2), SETTINGS)
    assert verdict.method is Method.FALSE
    assert entry_files(cache) == []


def test_undecided_verdict_is_never_stored(tmp_path):
    cache = ProofCache(tmp_path)
    stored = cache.put("0" * 64, "claim", Verdict(Method.UNDECIDED, "budget", accepted_reason="known"))
    assert stored is False
    assert entry_files(cache) == []


def test_changed_stated_side_is_decided_afresh(tmp_path):
    cache = ProofCache(tmp_path)
    cache.check(square_claim(), SETTINGS)
    changed = cache.check(square_claim(stated=x**2 + 3 * x * y + y**2), SETTINGS)
    assert changed.method is Method.FALSE
    assert "cache" not in changed.extra


@pytest.mark.parametrize(
    "change",
    [
        lambda claim: dataclasses.replace(claim, id="renamed"),
        lambda claim: dataclasses.replace(claim, rewrites=(EXPAND_LOG,)),
        lambda claim: dataclasses.replace(claim, index_ranges={sp.Symbol("i", integer=True): (1, 3)}),
        lambda claim: dataclasses.replace(claim, accept_undecided="reason"),
    ],
)
def test_key_changes_with_claim(change):
    claim = square_claim()
    assert claim_key(change(claim), SETTINGS) != claim_key(claim, SETTINGS)


def test_key_changes_with_obtained_side():
    assert claim_key(square_claim(), SETTINGS) != claim_key(
        dataclasses.replace(square_claim(), obtained=(x + 2 * y) ** 2), SETTINGS
    )


@pytest.mark.parametrize("field, value", [("points", 7), ("seed", 1), ("budget_seconds", 3.0), ("symbolic", False)])
def test_key_changes_with_settings(field, value):
    changed = dataclasses.replace(SETTINGS, **{field: value})
    assert claim_key(square_claim(), changed) != claim_key(square_claim(), SETTINGS)


def test_decide_with_claim_is_not_cached(tmp_path):
    cache = ProofCache(tmp_path)
    calls = []

    def decide(settings: CheckSettings) -> Verdict:
        calls.append(settings)
        return Verdict(Method.PROVED, "by construction")

    claim = Claim(id="custom", statement="custom", decide_with=decide)
    assert claim_key(claim, SETTINGS) is None
    cache.check(claim, SETTINGS)
    cache.check(claim, SETTINGS)
    assert len(calls) == 2
    assert entry_files(cache) == []


@pytest.mark.parametrize(
    "content",
    ["", "{not json", "[]", json.dumps({"key": "other"}), json.dumps({"key": None, "method": "FALSE"})],
)
def test_corrupt_entry_is_ignored_and_replaced(tmp_path, content):
    cache = ProofCache(tmp_path)
    claim = square_claim()
    key = claim_key(claim, SETTINGS)
    path = tmp_path / key[:2] / f"{key}.json"
    path.parent.mkdir(parents=True)
    path.write_text(content.replace('"key": null', f'"key": "{key}"'))
    assert cache.get(key) is None
    verdict = cache.check(claim, SETTINGS)
    assert verdict.method is Method.PROVED
    assert "cache" not in verdict.extra
    assert json.loads(path.read_text())["key"] == key


def test_stored_false_method_is_not_served(tmp_path):
    # An entry edited by hand to a method that does not hold on its own is ignored.
    cache = ProofCache(tmp_path)
    claim = square_claim()
    key = claim_key(claim, SETTINGS)
    cache.check(claim, SETTINGS)
    path = tmp_path / key[:2] / f"{key}.json"
    entry = json.loads(path.read_text())
    entry["method"] = "UNDECIDED"
    path.write_text(json.dumps(entry))
    assert cache.get(key) is None


def test_failure_bound_survives_round_trip(tmp_path):
    cache = ProofCache(tmp_path)
    verdict = Verdict(Method.IDENTITY_TESTED, "points", points=6, failure_bound=Fraction(3, 10**50))
    assert cache.put("a" * 64, "claim", verdict)
    served = cache.get("a" * 64)
    assert served.failure_bound == Fraction(3, 10**50)
    assert served.method is Method.IDENTITY_TESTED
    assert served.summary() == verdict.summary()


def test_write_leaves_no_temporary_files(tmp_path):
    cache = ProofCache(tmp_path)
    cache.check(square_claim(), SETTINGS)
    names = [path.name for path in tmp_path.rglob("*") if path.is_file()]
    assert len(names) == 1
    assert not names[0].startswith(".tmp-")


def test_check_parts_marks_cached_lines(tmp_path):
    cache = ProofCache(tmp_path)
    part = Part(id="p", title="p", claims=[square_claim()])
    check_parts([(None, part)], SETTINGS, cache=cache)
    (result,) = check_parts([(None, part)], SETTINGS, cache=cache)
    assert isinstance(result, ClaimResult)
    assert result.line().endswith("[from cache]")


def test_cli_no_cache_writes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DERIVE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("DERIVE_NO_CACHE", raising=False)
    assert main(["check", "7", "--quiet", "--no-cache"]) == 0
    assert not (tmp_path / "cache").exists()
    assert main(["check", "7", "--quiet"]) == 0
    assert list((tmp_path / "cache").rglob("*.json"))
    monkeypatch.setenv("DERIVE_NO_CACHE", "1")
    assert main(["check", "7"]) == 0
    assert "from cache" not in capsys.readouterr().out
