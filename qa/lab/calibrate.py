"""`qa calibrate`: fit the no-answer cut-offs on one half of the benchmark, report on the other half.

Half A (calibration) = the questions of the first half of XQuAD's articles that carry questions plus the
off-topic questions on even lines; half B (held out) = the rest. The cut-offs are fitted on A only, so
the figures on B are what to expect on questions nobody tuned on (XQuAD's held-back questions, new
off-topic ones). Fitting: the coverage weight is the ratio of the two slopes of a class-balanced
logistic regression of answerable vs off-topic on (dense, coverage) over same-language questions; each
cut-off is the `wrong_share` quantile of the answerable questions' scores, so about that share of them
is refused.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.config import Settings
from qa.encoding.encoder import Encoder
from qa.lab.evaluate import Question, build_service, load_corpus, load_offtopic, load_squad_questions
from qa.retrieval.no_answer import Cutoffs, answer_score, coverage, holds_every_term
from qa.retrieval.search import Retrieval
from qa.text.language import detect_language

CALIBRATION, HELD_OUT = 0, 1


@dataclass(frozen=True, slots=True)
class Sample:
    """One question's refusal features: `coverage` is None when its first passage is in another language."""

    setting: str
    answerable: bool
    half: int
    language: str
    best_dense: float
    coverage: float | None
    every_term: bool = False  # the first passage holds every term of the question's subject


def to_sample(retrieval: Retrieval, setting: str, answerable: bool, half: int) -> Sample:
    if not retrieval.hits:
        return Sample(setting, answerable, half, retrieval.language, retrieval.best_dense, None)
    first = retrieval.hits[0]
    share = coverage(retrieval.question, retrieval.language, first)
    every_term = holds_every_term(retrieval.question, retrieval.language, first)
    return Sample(setting, answerable, half, retrieval.language, retrieval.best_dense, share, every_term)


def halves(questions: Sequence[Question]) -> list[int]:
    """CALIBRATION for the first half of the articles that carry questions (by article index), or for
    even positions when the questions have no gold paragraph (off-topic); HELD_OUT for the rest."""
    articles = sorted({q.gold[0] for q in questions if q.gold is not None})
    first = set(articles[: (len(articles) + 1) // 2])
    return [
        (CALIBRATION if n % 2 == 0 else HELD_OUT)
        if q.gold is None
        else (CALIBRATION if q.gold[0] in first else HELD_OUT)
        for n, q in enumerate(questions)
    ]


def _logistic_slopes(features: np.ndarray, labels: np.ndarray, iterations: int = 50) -> np.ndarray:
    """Newton's method for a class-balanced logistic regression with a tiny ridge; returns the weights
    (slopes first, intercept last)."""
    x = np.c_[features, np.ones(len(features))]
    weights = np.zeros(x.shape[1])
    balance = np.where(labels == 1, 0.5 / labels.mean(), 0.5 / (1 - labels.mean()))
    ridge = 1e-6 * np.eye(x.shape[1])
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(x @ weights)))
        gradient = x.T @ (balance * (p - labels)) + ridge @ weights
        hessian = (x * (balance * p * (1 - p))[:, None]).T @ x + ridge
        weights -= np.linalg.solve(hessian, gradient)
    return weights


def fit_coverage_weight(samples: Sequence[Sample]) -> float:
    """How much dense score one unit of coverage is worth, from same-language samples of both kinds."""
    same = [s for s in samples if s.coverage is not None]
    labels = np.array([s.answerable for s in same], dtype=float)
    if len(same) < 4 or labels.min() == labels.max():
        return 0.0
    weights = _logistic_slopes(np.array([[s.best_dense, s.coverage] for s in same]), labels)
    return max(0.0, float(weights[1] / weights[0])) if weights[0] > 0 else 0.0


def _quantile(values: Sequence[float], share: float, default: float) -> float:
    return round(float(np.quantile(values, share, method="lower")), 3) if values else default


def fit_cutoffs(samples: Sequence[Sample], wrong_share: float = 0.01, fallback: Cutoffs | None = None) -> Cutoffs:
    """Cut-offs that refuse about `wrong_share` of the answerable samples in each case.

    The German/English dense cut-offs come from the answerable questions of that language whose first
    passage is in the other language, or from all of that language when there are none (XQuAD's German
    questions over the German corpus). Missing cases keep `fallback`'s values.
    """
    fallback = fallback or Cutoffs(0.0, 0.0, 0.0, 0.0)
    weight = round(fit_coverage_weight(samples), 3)
    answerable = [s for s in samples if s.answerable]
    same = [s.best_dense + weight * s.coverage for s in answerable if s.coverage is not None]

    def dense(language: str, default: float) -> float:
        mine = [s for s in answerable if s.language == language]
        across = [s.best_dense for s in mine if s.coverage is None]
        return _quantile(across or [s.best_dense for s in mine], wrong_share, default)

    return Cutoffs(
        german=dense("de", fallback.german),
        english=dense("en", fallback.english),
        same_language=_quantile(same, wrong_share, fallback.same_language),
        coverage_weight=weight if same else fallback.coverage_weight,
    )


def refused_shares(
    samples: Sequence[Sample], cutoffs: Cutoffs, half: int | None = None
) -> dict[str, tuple[float, int]]:
    """Per setting: (share refused, number of questions), over one half or (None) all samples."""
    by_setting: dict[str, list[bool]] = {}
    for s in samples:
        if half is None or s.half == half:
            refused = answer_score(s.best_dense, s.coverage, s.language, cutoffs, s.every_term) < 0.0
            by_setting.setdefault(s.setting, []).append(refused)
    return {setting: (sum(r) / len(r), len(r)) for setting, r in by_setting.items()}


@dataclass(frozen=True, slots=True)
class Calibration:
    """Cut-offs fitted on each half and the refusal shares they give, plus the current settings' shares."""

    wrong_share: float
    current: Cutoffs
    fitted: Cutoffs  # on the calibration half
    swapped: Cutoffs  # on the held-out half (a check of how stable the fit is)
    samples: tuple[Sample, ...]

    def to_dict(self) -> dict:
        def shares(cutoffs: Cutoffs, half: int | None) -> dict:
            return {
                k: {"refused": round(v, 4), "questions": n}
                for k, (v, n) in refused_shares(self.samples, cutoffs, half).items()
            }

        return {
            "wrong_share": self.wrong_share,
            "fitted": _settings_of(self.fitted),
            "swapped": _settings_of(self.swapped),
            "current": _settings_of(self.current),
            "calibration_half": shares(self.fitted, CALIBRATION),
            "held_out": shares(self.fitted, HELD_OUT),
            "swapped_held_out": shares(self.swapped, CALIBRATION),
            "all_fitted": shares(self.fitted, None),
            "all_current": shares(self.current, None),
        }


def _settings_of(cutoffs: Cutoffs) -> dict[str, float]:
    return {
        "no_answer_de": cutoffs.german,
        "no_answer_en": cutoffs.english,
        "no_answer_same_language": cutoffs.same_language,
        "no_answer_coverage_weight": cutoffs.coverage_weight,
    }


def _ask(service, questions: Sequence[Question], setting: str, answerable: bool) -> list[Sample]:
    if not questions:
        return []
    retrievals = service.searcher().search_many([q.text for q in questions], 10, "hybrid")
    return [to_sample(r, setting, answerable, h) for r, h in zip(retrievals, halves(questions), strict=True)]


def collect(
    xquad: Path, seeds: Path, offtopic_xquad: Path, offtopic_seeds: Path, settings: Settings, encoder: Encoder
) -> list[Sample]:
    """Ask XQuAD's German and English dev questions and the XQuAD off-topic questions over the German
    XQuAD paragraphs, the German questions and off-topic questions over the English paragraphs too
    (so the German cut-off for a first passage in English is fitted on German questions over English
    text, not on German over German, which scores higher), and the seed off-topic questions over the
    seed articles (throw-away indexes)."""
    samples: list[Sample] = []
    off_x = load_offtopic(offtopic_xquad)
    runs = [
        (
            [xquad / "xquad.de.json"],
            [
                (load_squad_questions(xquad / "xquad.de.json"), "DE->DE", True),
                (load_squad_questions(xquad / "xquad.en.json"), "EN->DE", True),
                ([q for q in off_x if _language_of(q) == "de"], "off-topic XQuAD, German", False),
                ([q for q in off_x if _language_of(q) == "en"], "off-topic XQuAD, English", False),
            ],
        ),
        (
            [xquad / "xquad.en.json"],
            [
                (load_squad_questions(xquad / "xquad.de.json"), "DE->EN", True),
                ([q for q in off_x if _language_of(q) == "de"], "off-topic XQuAD, German over English", False),
            ],
        ),
        ([seeds], [(load_offtopic(offtopic_seeds), "off-topic seeds", False)]),
    ]
    for corpus, question_sets in runs:
        with tempfile.TemporaryDirectory(prefix="qa-calibrate-") as tmp:
            service = build_service(load_corpus(corpus).documents, settings.replace(index_dir=f"{tmp}/index"), encoder)
            try:
                for questions, setting, answerable in question_sets:
                    samples.extend(_ask(service, questions, setting, answerable))
            finally:
                service.close()
    return samples


def _language_of(question: Question) -> str:
    return detect_language(question.text)


def calibrate(samples: Sequence[Sample], current: Cutoffs, wrong_share: float = 0.01) -> Calibration:
    """Fit on the calibration half (and, as a check, on the held-out half) and keep every sample."""
    fitted = fit_cutoffs([s for s in samples if s.half == CALIBRATION], wrong_share, current)
    swapped = fit_cutoffs([s for s in samples if s.half == HELD_OUT], wrong_share, current)
    return Calibration(wrong_share, current, fitted, swapped, tuple(samples))


def describe(calibration: Calibration) -> list[str]:
    """The lines `qa calibrate` prints."""
    lines = [f"fitted on the calibration half (answerable refused about {calibration.wrong_share:.1%}):"]
    lines += [f"  {k:26s} {v}" for k, v in _settings_of(calibration.fitted).items()]
    columns = (
        ("calibration", calibration.fitted, CALIBRATION),
        ("held out", calibration.fitted, HELD_OUT),
        ("all", calibration.fitted, None),
        ("all, current", calibration.current, None),
        ("swapped", calibration.swapped, CALIBRATION),
    )
    tables = [refused_shares(calibration.samples, cutoffs, half) for _, cutoffs, half in columns]
    lines.append("refused".ljust(28) + "".join(name.rjust(16) for name, _, _ in columns))
    for setting in tables[-2]:
        cells = []
        for table in tables:
            share, n = table.get(setting, (float("nan"), 0))
            cells.append(f"{share:6.1%} of {n:4d}".rjust(16))
        lines.append(setting.ljust(28) + "".join(cells))
    lines.append("DE->DE and EN->DE are answerable (refused = wrongly); 'swapped' = fitted on the held-out half,")
    lines.append("reported on the calibration half. Current settings: " + str(_settings_of(calibration.current)))
    return lines
