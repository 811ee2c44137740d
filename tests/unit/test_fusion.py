"""Language-aware fusion: worked out by hand."""

import numpy as np
import pytest

from qa.retrieval.fusion import (
    article_best,
    dense_scores,
    fuse,
    level_languages,
    minmax,
    numbers,
    rank,
    shown_leads,
    stories,
    teaser_penalties,
    translations,
    within_article_bonus,
)
from qa.retrieval.search import clamp_k


def f32(*values):
    return np.array(values, dtype=np.float32)


def test_minmax():
    assert minmax(f32(0.5, 0.7, 0.9)).tolist() == pytest.approx([0.0, 0.5, 1.0])
    assert minmax(f32(0.8, 0.8)).tolist() == [1.0, 1.0]
    assert minmax(f32()).size == 0


def test_dense_scores_mix_passage_and_best_sentence():
    assert dense_scores(f32(0.8, 0.6), f32(0.9, 0.9), 0.5).tolist() == pytest.approx([0.85, 0.75])


def test_same_language_lexical_lifts_a_passage():
    dense = f32(0.90, 0.88, 0.80)
    lexical = f32(0.0, 10.0, 0.0)
    same = np.array([True, True, True])
    # minmax dense: 1, .8, 0; lexical/max: 0, 1, 0 -> .7, .86, 0
    assert fuse(dense, lexical, same, 0.7).tolist() == pytest.approx([0.7, 0.86, 0.0])
    assert rank(fuse(dense, lexical, same, 0.7), 3).tolist() == [1, 0, 2]


def test_cross_lingual_lexical_never_beats_dense():
    """English question, German gold passage (dense best), an English passage sharing one name."""
    dense = f32(0.86, 0.80, 0.78)
    lexical = f32(0.0, 12.0, 0.0)
    same = np.array([False, True, False])
    fused = fuse(dense, lexical, same, 0.7)
    # German passages keep their dense scale (1.0 and 0.0); the English one gets .7*.25 + .3*1 = .475
    assert fused.tolist() == pytest.approx([1.0, 0.475, 0.0])
    assert rank(fused, 1).tolist() == [0]


def test_no_same_language_passage_means_dense_order():
    dense = f32(0.7, 0.9)
    assert rank(fuse(dense, f32(5.0, 0.0), np.array([False, False]), 0.7), 2).tolist() == [1, 0]


def test_shapes_are_checked():
    with pytest.raises(ValueError, match="shapes differ"):
        fuse(f32(1.0), f32(1.0, 2.0), np.array([True]), 0.7)


@pytest.mark.parametrize(
    ("k", "max_k", "n", "expected"), [(5, 50, 15, 5), (60, 50, 100, 50), (10, 50, 3, 3), (0, 50, 3, 1), (5, 50, 0, 1)]
)
def test_clamp_k(k, max_k, n, expected):
    assert clamp_k(k, max_k, n) == expected


def test_mixed_corpus_english_question_keeps_the_german_gold_first():
    """English question over a mixed corpus: the German gold (best dense) against an English passage
    that matches every question word but is about something else; lexical may lift the English one
    above its English siblings, never above the German gold's dense lead."""
    dense = f32(0.84, 0.83, 0.80, 0.70)
    lexical = f32(0.0, 9.0, 3.0, 0.0)
    same = np.array([False, True, True, False])
    fused = fuse(dense, lexical, same, 0.7)
    # minmax dense: 1, .929, .714, 0; English: .7*.929+.3*1 = .95, .7*.714+.3*.333 = .6
    assert fused.tolist() == pytest.approx([1.0, 0.95, 0.6, 0.0], abs=1e-3)
    assert rank(fused, 4).tolist() == [0, 1, 2, 3]


def test_hybrid_over_other_language_only_is_exactly_dense():
    dense = f32(0.81, 0.86, 0.79)
    fused = fuse(dense, f32(4.0, 0.0, 7.0), np.array([False, False, False]), 0.7)
    assert fused.tolist() == pytest.approx(minmax(dense).tolist())


@pytest.mark.parametrize(("weight", "expected"), [(1.0, [0, 1, 2]), (0.0, [1, 2, 0]), (0.5, [1, 0, 2])])
def test_dense_weight_moves_between_dense_and_lexical(weight, expected):
    dense = f32(0.9, 0.8, 0.7)  # minmax 1, .5, 0
    lexical = f32(0.0, 6.0, 3.0)  # /max 0, 1, .5
    assert rank(fuse(dense, lexical, np.array([True, True, True]), weight), 3).tolist() == expected


def test_sentence_weight_zero_and_one():
    assert dense_scores(f32(0.8), f32(0.9), 0.0).tolist() == pytest.approx([0.8])
    assert dense_scores(f32(0.8), f32(0.9), 1.0).tolist() == pytest.approx([0.9])


def test_level_languages_lifts_only_the_other_language():
    dense = f32(0.80, 0.78)
    same = np.array([True, False])
    assert level_languages(dense, same, 0.03).tolist() == pytest.approx([0.80, 0.81])
    # a German report the encoder puts 0.02 below the English one now ranks first
    assert rank(fuse(level_languages(dense, same, 0.03), f32(0.0, 0.0), same, 0.7), 2).tolist() == [1, 0]
    with pytest.raises(ValueError):
        level_languages(f32(0.8), np.array([True, False]), 0.03)


def test_level_languages_takes_a_bonus_per_candidate():
    same = np.array([True, False, False])
    assert level_languages(f32(0.8, 0.8, 0.8), same, f32(0.0, 0.05, 0.0)).tolist() == pytest.approx([0.8, 0.85, 0.8])


def test_numbers_are_compared_without_their_separators():
    assert numbers("Thirty countries reported 31,480 cases, 3.2 million people") == {"31480", "32"}
    assert numbers("Es waren 31.480 Fälle, 3,2 Millionen Menschen") == {"31480", "32"}
    assert numbers("Keine Zahl.") == frozenset()


def _unit(*rows: tuple[float, float]) -> np.ndarray:
    vectors = np.array([[a, b, np.sqrt(max(0.0, 1.0 - a * a - b * b))] for a, b in rows], dtype=np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_a_translation_is_told_from_another_report():
    """An English question; candidate 0 is an English paragraph, 1-3 German ones at cosines 0.93, 0.85 and
    0.85 to it (vectors built so)."""
    vectors = _unit((1.0, 0.0), (0.93, 0.3676), (0.85, 0.5268), (0.85, -0.5268))
    same = np.array([True, False, False, False])
    cosines = vectors[1:] @ vectors[0]
    assert cosines.tolist() == pytest.approx([0.93, 0.85, 0.85], abs=1e-3)
    # without numbers only the cosine tells: 0.93 is a translation at 0.9, 0.85 is not
    none = ["No number.", "Keine Zahl.", "Keine Zahl.", "Keine Zahl."]
    assert translations(vectors, same, none, 0.9).tolist() == [False, True, False, False]
    # with numbers, a paragraph stating the same ones is a translation from 0.8; one stating others is not
    stated = ["31,480 cases in 2021.", "31.480 Fälle 2021.", "2021 waren es 31.480 Fälle.", "Es waren 7 Fälle."]
    assert translations(vectors, same, stated, 0.9).tolist() == [False, True, True, False]
    # four of the two passages' five numbers in common suffice (NUMBERS_SHARED: three quarters), two of four do not
    shares = ["1 2 3 4", "1 2 3 4 5", "1 2", "Keine Zahl."]
    assert translations(vectors, same, shares, 0.9).tolist() == [False, True, False, False]
    # one language among the candidates: nothing is a translation
    assert not translations(vectors, np.zeros(4, dtype=bool), none, 0.9).any()
    with pytest.raises(ValueError):
        translations(vectors, same, none[:2], 0.9)


def test_teaser_penalties_hit_only_the_first_passage():
    assert teaser_penalties(np.array([0, 1, 4, 0]), 0.1).tolist() == pytest.approx([0.1, 0.0, 0.0, 0.1])
    # a body paragraph within 0.1 of its teaser wins; one further behind does not
    fused = f32(1.0, 0.95, 0.85)
    order = rank(fused - teaser_penalties(np.array([0, 2, 3]), 0.1), 3)
    assert order.tolist() == [1, 0, 2]


def test_within_article_bonus_needs_a_second_passage_of_the_article():
    paragraphs = [("wolf", 0), ("wolf", 3), ("ecb", 2), ("xquad-1", 0), ("xquad-1", 0)]
    holds = [False, True, True, True, True]
    # the wolf article's paragraph with the number gains; a lone paragraph never does, even cut in two
    assert within_article_bonus(paragraphs, holds, 0.05).tolist() == pytest.approx([0.0, 0.05, 0.0, 0.0, 0.0])
    with pytest.raises(ValueError):
        within_article_bonus(paragraphs, holds[:2], 0.05)


def test_shown_leads_are_teasers_and_leads_an_earlier_reply_quoted():
    reply = 'According to the article “Wolf” of 2 March 2025: "A wolf killed 23  sheep near Oberkirchbach."'
    sentences = [
        ["A wolf attacked a flock."],  # teaser, not quoted
        ["Wire - Fog.", "A wolf killed 23 sheep near\nOberkirchbach."],  # lead, quoted (spaces differ)
        ["A wolf killed 23 sheep near Oberkirchbach."],  # a body paragraph: a follow-up may ask on about it
        ["Fog."],  # too short a sentence to tell a passage by
    ]
    assert shown_leads([0, 1, 3, 0], sentences, reply).tolist() == [False, True, False, False]
    assert shown_leads([0, 1, 3, 0], sentences, "").tolist() == [False] * 4
    with pytest.raises(ValueError):
        shown_leads([0, 1], sentences, reply)


def test_article_best_gives_every_candidate_its_articles_best():
    # the lead names the bridge in full, the paragraph after it says "the bridge": the same evidence for both
    values = f32(0.6, 0.0, 0.2, 0.0)
    assert article_best(["bridge", "bridge", "metro", "zoo"], values).tolist() == pytest.approx([0.6, 0.6, 0.2, 0.0])
    with pytest.raises(ValueError):
        article_best(["bridge"], values)


def test_stories_group_an_articles_paragraphs_but_not_a_lone_paragraphs_passages():
    # a news article's lead and body share the story's evidence; a long XQuAD paragraph cut in two does not
    keys = stories([("bridge", 1), ("bridge", 3), ("xquad-7", 0), ("xquad-7", 0)])
    assert keys[0] == keys[1] == "bridge" and keys[2] != keys[3]
    assert article_best(keys, f32(0.3, 0.0, 0.3, 0.0)).tolist() == pytest.approx([0.3, 0.3, 0.3, 0.0])
