"""Fitting the no-answer cut-offs: the split into halves and the fit on hand-made samples."""

from __future__ import annotations

import pytest

from qa.lab.calibrate import (
    CALIBRATION,
    HELD_OUT,
    Sample,
    calibrate,
    fit_coverage_weight,
    fit_cutoffs,
    halves,
    refused_shares,
)
from qa.lab.evaluate import Question
from qa.retrieval.no_answer import Cutoffs


def test_halves_split_by_article_and_off_topic_by_line():
    questions = [Question(str(n), "q", (article, 0)) for n, article in enumerate([0, 0, 1, 2, 3, 3])]
    assert halves(questions) == [CALIBRATION, CALIBRATION, CALIBRATION, HELD_OUT, HELD_OUT, HELD_OUT]
    off = [Question(str(n), "q", None) for n in range(5)]
    assert halves(off) == [CALIBRATION, HELD_OUT, CALIBRATION, HELD_OUT, CALIBRATION]


def _sample(answerable: bool, dense: float, share: float | None, language: str = "de", half: int = 0) -> Sample:
    return Sample("s", answerable, half, language, dense, share)


def test_coverage_weight_is_positive_when_coverage_separates():
    # Dense scores overlap; answerable questions share more terms with their passage -> a positive weight.
    answerable = [(0.85, 0.6), (0.86, 0.2), (0.84, 0.8), (0.87, 0.5), (0.83, 0.7)]
    off = [(0.84, 0.1), (0.85, 0.5), (0.83, 0.0), (0.86, 0.0), (0.82, 0.3)]
    samples = [_sample(True, d, c) for d, c in answerable] + [_sample(False, d, c) for d, c in off]
    assert 0.05 < fit_coverage_weight(samples) < 0.15
    assert fit_coverage_weight([s for s in samples if s.answerable]) == 0.0  # one class: nothing to fit
    assert fit_coverage_weight([_sample(True, 0.9, None), _sample(False, 0.8, None)] * 3) == 0.0


def test_fit_cutoffs_refuses_the_wanted_share_of_answerable_samples():
    answerable = [_sample(True, 0.80 + n / 1000, None, "en") for n in range(100)]
    off = [_sample(False, 0.75 + n / 1000, None, "en") for n in range(30)]
    cutoffs = fit_cutoffs(answerable + off, wrong_share=0.02, fallback=Cutoffs(0.9, 0.9, 0.9, 0.0))
    # The 2 % quantile ("lower") of 0.800..0.899 is 0.801: the lowest sample only is refused.
    assert cutoffs.english == pytest.approx(0.801)
    assert (cutoffs.german, cutoffs.same_language) == (0.9, 0.9)  # no German or same-language samples
    shares = refused_shares(answerable + off, cutoffs)
    assert shares["s"] == (pytest.approx(31 / 130), 130)


def test_calibrate_fits_each_half():
    samples = [_sample(True, 0.80 + n / 100, None, "en", half) for half in (0, 1) for n in range(10)]
    result = calibrate(samples, Cutoffs(0.8, 0.8, 0.8, 0.0), wrong_share=0.0)
    assert result.fitted.english == result.swapped.english == 0.8
    assert result.to_dict()["held_out"]["s"] == {"refused": 0.0, "questions": 10}
