"""The statistics of the synthesis against hand computations and published values."""

from __future__ import annotations

import math

import pytest

from pipeline.synthesis.model import (
    SynthesisError,
    continuity,
    freeman_tukey_inverse,
    pool,
    study_interval,
    transformed,
)

Z = 1.959963984540054  # the normal quantile of 0.975


def expit(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def hand_dl_logit(events: list[int], totals: list[int]) -> tuple[float, float, float, float, float]:
    """DerSimonian-Laird on logits, 0.5 added to the cells of a study with no or all events: by hand."""
    ys, vs = [], []
    for k, n in zip(events, totals, strict=True):
        c = 0.5 if k in (0, n) else 0.0
        ys.append(math.log((k + c) / (n - k + c)))
        vs.append(1 / (k + c) + 1 / (n - k + c))
    w = [1 / v for v in vs]
    mean_fe = sum(wi * y for wi, y in zip(w, ys, strict=True)) / sum(w)
    q = sum(wi * (y - mean_fe) ** 2 for wi, y in zip(w, ys, strict=True))
    df = len(ys) - 1
    tau2 = max(0.0, (q - df) / (sum(w) - sum(wi**2 for wi in w) / sum(w)))
    wr = [1 / (v + tau2) for v in vs]
    mu = sum(wi * y for wi, y in zip(wr, ys, strict=True)) / sum(wr)
    se = math.sqrt(1 / sum(wr))
    i2 = max(0.0, (q - df) / q) if q > 0 else 0.0
    return expit(mu), expit(mu - Z * se), expit(mu + Z * se), tau2, i2


def test_wilson_interval_of_3_of_10_is_the_published_one():
    # Newcombe (1998), method 3, for 3/10 (also any textbook's Wilson score interval)
    low, high = study_interval(3, 10, "wilson")
    assert low == pytest.approx(0.1078, abs=5e-5)
    assert high == pytest.approx(0.6032, abs=5e-5)
    # and against the score formula written out
    p, n = 0.3, 10
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2)) / (1 + Z**2 / n)
    assert (low, high) == pytest.approx((centre - half, centre + half), abs=1e-9)


def test_exact_interval_of_3_of_10_is_clopper_pearson():
    low, high = study_interval(3, 10, "exact")
    assert low == pytest.approx(0.0667, abs=5e-5)
    assert high == pytest.approx(0.6525, abs=5e-5)


@pytest.mark.parametrize(("events", "total", "expected"), [(0, 10, (0.0, 0.2775)), (10, 10, (0.7225, 1.0))])
def test_wilson_interval_at_zero_and_all_events_stays_inside_0_1(events, total, expected):
    low, high = study_interval(events, total, "wilson")
    assert (low, high) == pytest.approx(expected, abs=5e-5)


def test_pooled_estimate_matches_the_hand_computation_dl():
    events, totals = [3, 5, 12], [10, 20, 15]
    got = pool(events, totals, transform="logit", method="dl")
    est, low, high, tau2, i2 = hand_dl_logit(events, totals)
    assert got.tau2 > 0  # heterogeneous on purpose: the random-effects part is exercised
    assert (got.estimate, got.ci_low, got.ci_high) == pytest.approx((est, low, high), rel=1e-9)
    assert got.tau2 == pytest.approx(tau2, rel=1e-9)
    assert got.i2 == pytest.approx(i2, rel=1e-9)
    assert sum(got.weights) == pytest.approx(1.0)


def test_dl_tau2_is_truncated_at_zero_when_studies_agree():
    # Q < df: statsmodels' combine_effects returns a negative DL tau2; the pool must be the fixed-effect one
    events, totals = [3, 5, 0], [10, 20, 8]
    got = pool(events, totals, method="dl")
    est, low, high, tau2, _ = hand_dl_logit(events, totals)
    assert tau2 == 0.0 and got.tau2 == 0.0 and got.i2 == 0.0
    assert (got.estimate, got.ci_low, got.ci_high) == pytest.approx((est, low, high), rel=1e-9)
    assert got.estimate == pytest.approx(0.241459, abs=1e-6)


def test_paule_mandel_tau2_solves_its_estimating_equation():
    events, totals = [1, 10, 18], [20, 20, 20]
    got = pool(events, totals, method="pm")
    ys_vs = [transformed(k, n) for k, n in zip(events, totals, strict=True)]
    w = [1 / (v + got.tau2) for _, v in ys_vs]
    mu = sum(wi * y for wi, (y, _) in zip(w, ys_vs, strict=True)) / sum(w)
    generalized_q = sum(wi * (y - mu) ** 2 for wi, (y, _) in zip(w, ys_vs, strict=True))
    assert got.tau2 > 0
    assert generalized_q == pytest.approx(len(events) - 1, abs=1e-4)
    assert got.estimate == pytest.approx(expit(mu), rel=1e-9)


def test_every_study_one_patient_pools_to_a_finite_wide_interval():
    got = pool([1, 1, 1], [1, 1, 1])
    # each 1/1 gets 0.5 per cell: logit log(1.5/0.5), variance 1/1.5 + 1/0.5; identical studies: tau2 0
    y, v = math.log(3), 1 / 1.5 + 1 / 0.5
    assert got.estimate == pytest.approx(0.75)
    assert got.ci_low == pytest.approx(expit(y - Z * math.sqrt(v / 3)))
    assert got.ci_high == pytest.approx(expit(y + Z * math.sqrt(v / 3)))
    assert got.tau2 == 0.0 and got.i2 == 0.0


def test_zero_events_everywhere_logit_is_continuity_corrected_freeman_tukey_is_not():
    assert continuity(0, 10) == 0.5 and continuity(10, 10) == 0.5 and continuity(3, 10) == 0.0
    assert continuity(0, 10, "freeman_tukey") == 0.0
    logit = pool([0, 0], [10, 12], transform="logit", method="dl")
    est, low, high, _, _ = hand_dl_logit([0, 0], [10, 12])
    assert (logit.estimate, logit.ci_low, logit.ci_high) == pytest.approx((est, low, high), rel=1e-9)
    assert logit.estimate > 0  # the stated price of the correction: the pooled rate is not 0
    ft = pool([0, 0], [10, 12], transform="freeman_tukey")
    assert ft.estimate == 0.0 and ft.ci_low == 0.0
    assert 0 < ft.ci_high < 0.2


def test_all_events_everywhere_mirror_zero_events():
    none = pool([0, 0], [10, 12], method="dl")
    every = pool([10, 12], [10, 12], method="dl")
    assert every.estimate == pytest.approx(1 - none.estimate)
    assert every.ci_low == pytest.approx(1 - none.ci_high)
    ft = pool([10, 12], [10, 12], transform="freeman_tukey")
    assert ft.estimate == 1.0 and ft.ci_high == 1.0


def test_freeman_tukey_back_transform_of_a_study_recovers_its_proportion():
    for k, n in ((3, 10), (7, 40), (20, 25)):
        t, _ = transformed(k, n, "freeman_tukey")
        assert freeman_tukey_inverse(t, n) == pytest.approx(k / n, abs=0.01)


def test_freeman_tukey_pool_of_identical_studies_is_their_rate():
    got = pool([6, 6, 6], [20, 20, 20], transform="freeman_tukey", method="dl")
    assert got.estimate == pytest.approx(0.3, abs=0.005)
    assert got.i2 == 0.0


@pytest.mark.parametrize(("events", "totals"), [([1], [10]), ([3, 11], [10, 10]), ([1, 2], [10])])
def test_bad_inputs_say_what_was_expected(events, totals):
    with pytest.raises(SynthesisError, match=r"expected|needs"):
        pool(events, totals)


def test_unknown_options_are_named():
    with pytest.raises(SynthesisError, match="interval: expected one of"):
        study_interval(3, 10, "agresti")  # type: ignore[arg-type]
    with pytest.raises(SynthesisError, match="method: expected one of"):
        pool([1, 2], [10, 10], method="reml")  # type: ignore[arg-type]
    with pytest.raises(SynthesisError, match="transform: expected one of"):
        pool([1, 2], [10, 10], transform="arcsine")  # type: ignore[arg-type]
