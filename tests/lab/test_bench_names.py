"""`qa bench names`: invented look-alike names, German and English questions, Recall@1 off and on."""

from __future__ import annotations

from qa.lab.bench_names import run
from qa.lab.names_corpus import generate


def test_the_generator_is_deterministic_and_names_look_alike():
    first, again = generate(240, seed=15), generate(240, seed=15)
    assert [a.document.sections for a in first] == [a.document.sections for a in again]
    assert len({a.name for a in first}) == 240 and len({a.document.id for a in first}) == 240
    family = [a.name for a in first if a.family == 0]
    assert len({name[:3] for name in family}) == 1 and len({name[-2:] for name in family}) == 1
    for article in first:
        assert article.name in article.document.sections[0].text
        assert article.name in article.question_de and article.name in article.question_en
    assert generate(240, seed=16)[0].name != first[0].name


def test_a_small_run_reports_both_languages_and_the_names_do_not_hurt():
    report = run(articles=40, seed=3, name_weight=0.3)
    assert report.articles == 40 and report.questions == 80
    for language in ("de", "en"):
        off, on = report.recall[language]["name weight 0"], report.recall[language]["name weight 0.3"]
        assert 0.0 <= off <= 1.0 and on >= off
        assert report.recall[f"{language} name"]["name weight 0.3"] >= 0.9
