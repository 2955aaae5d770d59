"""The statistics: one study's interval, and a random-effects pool of proportions.

Everything numeric is statsmodels':

- one study's 95% interval: :func:`statsmodels.stats.proportion.proportion_confint`
  (``wilson``, the default, or ``exact``: Clopper-Pearson);
- the pool: :func:`statsmodels.stats.meta_analysis.combine_effects` on transformed
  proportions, random effects with Paule-Mandel (``pm``, the default) or
  DerSimonian-Laird (``dl``) between-study variance, normal-based 95% interval, then
  back-transformed.

Transforms (``docs/report.md`` says when to choose which):

- ``logit``: ``log((k + c) / (N - k + c))``, variance ``1/(k + c) + 1/(N - k + c)``,
  with ``c = 0.5`` added only to a study with no event or all events (``c = 0``
  otherwise), so that it has a finite logit; back: the inverse logit.
- ``freeman_tukey``: ``asin(sqrt(k/(N+1))) + asin(sqrt((k+1)/(N+1)))``, variance
  ``1/(N + 0.5)``, no correction needed; back: Miller's (1978) inversion at the harmonic
  mean of the studies' N.

Two corrections to what ``combine_effects`` returns: its DerSimonian-Laird
``tau2 = (Q - df)/C`` is not truncated, so when ``Q < df`` the pool is taken with
``tau2 = 0`` (the fixed-effect estimate, as the DL estimator is defined), and ``I²``
is ``max(0, (Q - df)/Q)`` (0 when ``Q = 0``).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
from statsmodels.stats.meta_analysis import combine_effects
from statsmodels.stats.proportion import proportion_confint

from pipeline.errors import PipelineError

Transform = Literal["logit", "freeman_tukey"]
Method = Literal["pm", "dl"]
Interval = Literal["wilson", "exact"]

TRANSFORMS: tuple[str, ...] = ("logit", "freeman_tukey")
METHODS: tuple[str, ...] = ("pm", "dl")
INTERVALS: tuple[str, ...] = ("wilson", "exact")
#: What statsmodels calls them.
_SM_INTERVAL = {"wilson": "wilson", "exact": "beta"}
_SM_METHOD = {"pm": "iterated", "dl": "chi2"}
CONTINUITY = 0.5
ALPHA = 0.05


class SynthesisError(PipelineError):
    """Inputs that cannot be pooled (the message says which and why)."""


@dataclass(frozen=True, slots=True)
class Pooled:
    """A pooled proportion and its heterogeneity; ``weights`` are the studies' relative RE weights."""

    estimate: float
    ci_low: float
    ci_high: float
    n_studies: int
    tau2: float | None
    i2: float | None
    q: float | None
    weights: tuple[float, ...]
    transform: str
    method: str


def _check(events: int, total: int) -> None:
    if total < 1 or events < 0 or events > total:
        raise SynthesisError(f"expected 0 <= events <= total and total >= 1, found {events} of {total}")


def study_interval(events: int, total: int, method: Interval = "wilson", alpha: float = ALPHA
                   ) -> tuple[float, float]:
    """One study's ``1 - alpha`` interval for ``events / total`` (Wilson or exact Clopper-Pearson)."""
    _check(events, total)
    if method not in _SM_INTERVAL:
        raise SynthesisError(f"interval: expected one of {INTERVALS}, found {method!r}")
    low, high = proportion_confint(events, total, alpha=alpha, method=_SM_INTERVAL[method])
    return float(max(0.0, low)), float(min(1.0, high))


def continuity(events: int, total: int, transform: Transform = "logit") -> float:
    """The correction added to each cell of a study before the transform (0.5 for 0 or all events, logit only)."""
    if transform == "logit" and events in (0, total):
        return CONTINUITY
    return 0.0


def transformed(events: int, total: int, transform: Transform = "logit") -> tuple[float, float]:
    """A study's effect and its variance on the transformed scale."""
    _check(events, total)
    if transform == "logit":
        c = continuity(events, total, transform)
        a, b = events + c, total - events + c
        return math.log(a / b), 1 / a + 1 / b
    if transform == "freeman_tukey":
        t = math.asin(math.sqrt(events / (total + 1))) + math.asin(math.sqrt((events + 1) / (total + 1)))
        return t, 1 / (total + 0.5)
    raise SynthesisError(f"transform: expected one of {TRANSFORMS}, found {transform!r}")


def _expit(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def freeman_tukey_inverse(t: float, n: float) -> float:
    """Miller's inverse of the double arcsine at sample size ``n`` (clipped to its range, 0..1)."""
    low = math.asin(0.0) + math.asin(math.sqrt(1 / (n + 1)))
    high = math.asin(math.sqrt(n / (n + 1))) + math.asin(1.0)
    if t <= low:
        return 0.0
    if t >= high:
        return 1.0
    s = math.sin(t)
    inner = 1 - (s + (s - 1 / s) / n) ** 2
    p = 0.5 * (1 - math.copysign(1.0, math.cos(t)) * math.sqrt(max(0.0, inner)))
    return min(1.0, max(0.0, p))


def back(value: float, transform: Transform, totals: list[int]) -> float:
    """A transformed value back on the proportion scale."""
    if transform == "logit":
        return _expit(value)
    harmonic = len(totals) / sum(1 / n for n in totals)
    return freeman_tukey_inverse(value, harmonic)


def pool(events: list[int], totals: list[int], *, transform: Transform = "logit", method: Method = "pm",
         alpha: float = ALPHA) -> Pooled:
    """The random-effects pooled proportion of two or more studies' ``events`` of ``totals``."""
    if len(events) != len(totals):
        raise SynthesisError(f"expected as many event counts as totals, found {len(events)} and {len(totals)}")
    if len(events) < 2:
        raise SynthesisError(f"pooling needs two studies or more, found {len(events)} (use study_interval)")
    if method not in _SM_METHOD:
        raise SynthesisError(f"method: expected one of {METHODS}, found {method!r}")
    pairs = [transformed(k, n, transform) for k, n in zip(events, totals, strict=True)]
    effect = np.array([e for e, _ in pairs])
    variance = np.array([v for _, v in pairs])
    with warnings.catch_warnings():  # statsmodels divides by Q for its H² when every study agrees
        warnings.simplefilter("ignore", RuntimeWarning)
        res = combine_effects(effect, variance, method_re=_SM_METHOD[method], use_t=False, alpha=alpha,
                              **({"maxiter": 500, "atol": 1e-10} if method == "pm" else {}))
    df = len(events) - 1
    q = float(res.q)
    tau2 = float(res.tau2)
    if tau2 > 0:
        mean, var = float(res.mean_effect_re), float(res.var_eff_w_re)
        weights = tuple(float(w) for w in res.weights_rel_re)
    else:  # Q <= df: no between-study variance; the random-effects pool is the fixed-effect one
        tau2 = 0.0
        mean, var = float(res.mean_effect_fe), float(res.var_eff_w_fe)
        weights = tuple(float(w) for w in res.weights_rel_fe)
    crit = float(res.crit)
    half = crit * math.sqrt(var)
    i2 = max(0.0, (q - df) / q) if q > 0 else 0.0
    return Pooled(
        estimate=back(mean, transform, totals),
        ci_low=back(mean - half, transform, totals),
        ci_high=back(mean + half, transform, totals),
        n_studies=len(events),
        tau2=tau2,
        i2=i2,
        q=q,
        weights=weights,
        transform=transform,
        method=method,
    )
