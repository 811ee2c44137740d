"""The newsroom benchmark: its hand-written set is whole and split by article, and `qa bench newsroom`
reports both halves through the real service."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from qa.cli import cli
from qa.lab.bench_newsroom import MISSES, miss_kind
from qa.lab.newsroom import SPLITS, load
from qa.records import DocumentRef, Highlight, Hit
from qa.text.ingest import split_passages


def test_the_set_has_what_the_benchmark_promises():
    newsroom = load()
    languages = Counter(a.language for a in newsroom.articles)
    assert len(newsroom.articles) >= 40 and languages["de"] >= 20 and languages["en"] >= 12
    directions = Counter(q.direction for q in newsroom.questions)
    assert len(newsroom.questions) >= 160
    assert all(directions[d] >= 40 for d in ("de->de", "en->en", "en->de", "de->en")), directions
    assert len(newsroom.offtopic) >= 30 and len(newsroom.conversations) >= 25
    # several articles per story, and some stories told in both languages
    stories = Counter(a.story for a in newsroom.articles)
    assert sum(1 for n in stories.values() if n > 1) >= 8
    told_twice = {a.story for a in newsroom.articles if a.language == "de"} & {
        a.story for a in newsroom.articles if a.language == "en"
    }
    assert len(told_twice) >= 4
    # short questions in every direction, in both halves
    short = Counter((q.split, q.direction) for q in newsroom.short)
    assert all(short[(split, d)] >= 5 for split in SPLITS for d in ("de->de", "en->en", "en->de", "de->en")), short
    # keywords as typed into a search box, in every direction, in both halves: no question, no "?"
    keywords = Counter((q.split, q.direction) for q in newsroom.keywords)
    assert all(keywords[(split, d)] >= 4 for split in SPLITS for d in ("de->de", "en->en", "en->de", "de->en"))
    assert all("?" not in q.text and len(q.text.split()) <= 7 for q in newsroom.keywords)


def test_each_paragraph_is_one_passage_holding_its_answers():
    newsroom = load()
    articles = {a.id: a for a in newsroom.articles}
    for question in newsroom.questions + newsroom.short + newsroom.keywords:
        article = articles[question.article]
        passages = split_passages(article.document())
        assert question.answer in passages[question.paragraph].text, question.id


def test_the_halves_are_split_by_article():
    newsroom = load()
    half = {a.id: a.split for a in newsroom.articles}
    assert set(half.values()) == set(SPLITS)
    assert all(q.split == half[q.article] for q in newsroom.questions + newsroom.short + newsroom.keywords)
    counts = Counter(q.split for q in newsroom.questions)
    assert min(counts.values()) >= 70


def _first(article: str, position: int) -> Hit:
    document = DocumentRef(article, "", None, "")
    return Hit(1, position, "text", "", "de", 1.0, 0.9, 0.0, Highlight("text", 0, 4), document)


def test_a_miss_is_told_by_where_it_went():
    """The report separates choosing the paragraph within the right article from choosing the article."""
    newsroom = load()
    articles = {a.id: a for a in newsroom.articles}
    question = next(q for q in newsroom.questions if q.paragraph >= 3)
    asked = articles[question.article]
    assert miss_kind(question, _first(asked.id, question.paragraph), articles) == ""
    assert miss_kind(question, _first(asked.id, 0), articles) == "other paragraph: teaser"
    assert miss_kind(question, _first(asked.id, 1), articles) == "other paragraph: lead"
    assert miss_kind(question, _first(asked.id, 2), articles) == "other paragraph: later"
    assert miss_kind(question, None, articles) == "refused"
    sibling = next(a for a in newsroom.articles if a.story == asked.story and a.id != asked.id)
    expected = "same language" if sibling.language == question.language else "other language"
    assert miss_kind(question, _first(sibling.id, 0), articles) == f"same story, {expected}"
    stranger = next(a for a in newsroom.articles if a.story != asked.story)
    assert miss_kind(question, _first(stranger.id, 0), articles) == "other story"


@pytest.mark.slow
def test_qa_bench_newsroom_reports_both_halves(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("QA_VECTOR_CACHE", str(tmp_path / "cache.sqlite"))
    result = runner.invoke(cli, ["bench", "newsroom", "--json"])
    assert result.exit_code == 0, result.output
    halves = json.loads(result.output)["halves"]
    for name in SPLITS:
        table = halves[name]["questions"]
        assert set(table) == {"de->de", "en->en", "en->de", "de->en", "all"}
        # floors reached on both halves (qa/lab/README.md): a regression fails here. R@1 .605 / .562 before
        # the third round's language bonus, .663 / .600 with it; R@5 .965 / .900. "Why" questions .58 / .56
        # before the teaser and dateline lead counted less for them (`QA_CAUSE_LEAD_PENALTY`), 1.0 / .67 after
        # (all .697 / .621 -> .747 / .644); with a new user's three articles (user.json) .60 / .52 -> .85 / .62.
        assert table["all"]["r@1"] >= 0.62, table["all"]
        assert halves[name]["by"]["kind why"]["r@1"] >= 0.6, halves[name]["by"]["kind why"]
        assert table["all"]["r@5"] >= 0.88, table["all"]
        # answerable refused: the issue's goal is 3 %; since the mixed part (qa/lab/README.md, "Seventeenth
        # round") the held-out half refuses 4 of 124 (3.2 %): "Wo wurde die stärkste Böe des Sturms Hilde
        # gemessen?" is judged on that part's German band report, whose storm sentence now comes first
        # without the language bonus (2/152 and 3/105 before the part)
        assert table["all"]["refused"] <= 0.035 * table["all"]["n"], table["all"]
        # off-topic refused 8 / 10 of 16 before places the first articles never mention, 12 / 13 with them
        refused, asked = map(int, halves[name]["offtopic_refused"].split("/"))
        # (with the new user's part, 16/18 and 13/18: "When will the Edinburgh tram line to Leith open?" is
        # answered from the report on the suspended airport line)
        assert refused >= 0.7 * asked, halves[name]["offtopic_refused"]
        # narrowed to one day's articles, as time words narrow a search: an off-topic question is still
        # refused (406 and 404 of 416 when measured), an answerable one is not (0/86, 1/80)
        day = halves[name]["narrowed_to_a_day"]
        refused, asked = map(int, day["offtopic_refused"].split("/"))
        assert refused >= 0.95 * asked, day
        refused, asked = map(int, day["answerable_refused"].split("/"))
        assert refused <= 0.03 * asked, day
        # short questions as a new user types them ("What did Marco Ferretti say?"): English ones over
        # English articles were refused 6/10 and 4/8 before a passage holding every term of the question
        # sufficed (1/10, 0/8); the rest of the tune half's refusals are a wrong first passage in the
        # question's language (all short questions refused 11/30 and 4/27 before, 6/30 and 0/27 after)
        # (2/10 on a machine whose float rounding puts "What did Elena Marín say?" 0.0003 under its cut-off:
        # measured on an AVX-512 one, 8 December, with and without the newer parts)
        short = halves[name]["short"]
        assert short["en->en"]["refused"] <= 2, short["en->en"]
        assert short["all"]["refused"] <= 0.25 * short["all"]["n"], short["all"]
        # "What did ... say?" highlights the quote, not the sentence naming the speaker: short questions'
        # highlight .633 / .593 before, .667 / .630 after (qa/lab/README.md, "Eighth round"); the trial part's
        # five articles take one held-out short question as distractors (.621 -> .586: "Wie viele Flüge fielen
        # aus?" finds the airline leaving Bremen)
        assert short["all"]["highlight"] >= 0.58, short["all"]
        # keyword queries ("EZB Einlagensatz", "bielefeld bridge demolition date"): R@1 .581 / .667 before a
        # noun could name the kind of answer ("reason", "date", "Begründung"), .581 / .708 after
        keywords = halves[name]["keywords"]["all"]
        assert keywords["r@1"] >= 0.55 and keywords["refused"] <= 2, keywords
        # all of them typed in lower case without "?" as chat users do: the archive's capitals restored
        # (qa.retrieval.casing): R@1 .672 / .598 against .664 / .617 as written with capitals (without
        # the casing .621 / .561), refused 5 / 3 against 6 / 2 (without: 7 / 6)
        lower, n = halves[name]["lower_case"], table["all"]["n"] + short["all"]["n"]
        cased = (table["all"]["r@1"] * table["all"]["n"] + short["all"]["r@1"] * short["all"]["n"]) / n
        assert lower["n"] == n and lower["r@1"] >= cased - 0.03, (lower, cased)
        assert lower["refused"] <= table["all"]["refused"] + short["all"]["refused"] + 2, lower
        # chat follow-ups: 8/16 and 14/33 right before a teaser or lead an earlier reply quoted ranked 0.1
        # lower for them (`QA_SHOWN_LEAD_PENALTY`), 8/16 and 19/33 after; 10/16 and 24/33 with rare names
        # and a follow-up's topic words as evidence for the article only (qa/lab/README.md, "Tenth round")
        right, asked = map(int, halves[name]["followups_right"].split("/"))
        assert right >= {"tune": 9, "held-out": 21}[name] and asked >= 16, halves[name]["followups_right"]
        # every miss is counted once, by where it went
        misses = halves[name]["misses"]
        assert set(misses) <= set(MISSES)
        assert sum(misses.values()) == round(table["all"]["n"] * (1 - table["all"]["r@1"])), misses
