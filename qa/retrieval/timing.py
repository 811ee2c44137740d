"""Time in the ranking: recency decay, a preferred period, newest first. Pure functions over candidates.

Why multiplicative: the fused score is 0..1 within one answer, so a factor keeps its meaning ("as
relevant, but older") where an added bonus would swamp a weak match or vanish beside a strong one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from qa.records import Scope

# A passage of the period the question names ("im September 2025", "2016") scores this much more; the
# period may be when the event happened rather than when the article appeared, so it is never a filter.
PREFERRED_FACTOR = 1.15
# Recency of an undated article: below any dated one, yet ordered by relevance among themselves.
UNDATED_DECAY = 1e-12


def _day(iso: str | None) -> float:
    return float(np.datetime64(iso, "D").astype(np.int64)) if iso else np.nan


def time_weights(dates: Sequence[str | None], scope: Scope) -> np.ndarray:
    """Float32 (n,) factors for candidates of these article dates (YYYY-MM-DD or None).

    recency (half-life h days, relative to as_of): floor + (1 - floor) x 0.5 ** (age / h), an article
    after as_of counting as age 0; preferred period: PREFERRED_FACTOR inside it, 1 outside or undated.
    """
    n = len(dates)
    weights = np.ones(n, dtype=np.float64)
    if n == 0 or (scope.recency is None and scope.prefer is None):
        return weights.astype(np.float32)
    days = np.array([_day(d) for d in dates], dtype=np.float64)
    dated = ~np.isnan(days)
    if scope.recency is not None and scope.as_of is not None:
        age = np.clip(_day(scope.as_of) - np.where(dated, days, 0.0), 0.0, None)
        decay = np.power(0.5, age / float(scope.recency))
        decay = np.where(dated, np.maximum(decay, UNDATED_DECAY * 10), UNDATED_DECAY)
        weights *= scope.recency_floor + (1.0 - scope.recency_floor) * decay
    if scope.prefer is not None:
        start, end = _day(scope.prefer[0]), _day(scope.prefer[1])
        inside = dated & (np.where(dated, days, 0.0) >= start) & (np.where(dated, days, 0.0) <= end)
        weights *= np.where(inside, PREFERRED_FACTOR, 1.0)
    return weights.astype(np.float32)


def newest_first(order: np.ndarray, dates: Sequence[str | None]) -> np.ndarray:
    """The ranked candidate positions `order` re-ordered newest article first; undated ones last, and
    among the same date the ranking's order stays (a stable sort)."""
    order = np.asarray(order, dtype=np.int64)
    keys = [dates[int(i)] or "" for i in order]
    by_date = sorted(range(order.size), key=lambda j: keys[j], reverse=True)
    # sorted(reverse=True) keeps ties in their original order, so equal dates stay ranked by relevance.
    return order[np.asarray(by_date, dtype=np.int64)] if order.size else order
