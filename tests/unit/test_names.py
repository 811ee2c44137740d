"""Rare names: which question words count, how rare is rare, and which passages hold them verbatim."""

from __future__ import annotations

import numpy as np
import pytest

from qa.retrieval.names import index_terms, name_evidence, name_words, rare_names


def test_name_words_are_capitalised_content_words_after_the_first():
    assert name_words("Was hat der Stadtrat von Libilukox beschlossen?") == ["stadtrat", "libilukox"]
    assert name_words("What did the town council of Libilukox decide?") == ["libilukox"]
    assert name_words("Libilukox?") == []  # the first word is capitalised anyway
    assert name_words("How many jobs is BASF cutting at BASF?") == ["basf"]
    assert name_words("what about the and of") == []


def test_rare_names_keep_words_few_passages_hold_with_their_idf():
    frequencies = {"libilukox": 1, "stadtrat": 80}
    names = rare_names(["stadtrat", "libilukox", "unknown"], frequencies, passages=240, max_share=0.01)
    assert list(names) == ["libilukox"]  # "stadtrat" is common, "unknown" is in no passage
    assert names["libilukox"] == pytest.approx(np.log(241))
    assert rare_names(["libilukox"], frequencies, passages=0, max_share=0.01) == {}


def test_a_word_stored_under_another_languages_stem_is_still_found():
    word = "busafakmed"  # the English stemmer cuts it, the German one does not
    assert len(index_terms(word)) == 2
    frequencies = {index_terms(word)[1]: 1}
    assert rare_names([word], frequencies, passages=100, max_share=0.01)


def test_evidence_is_the_share_of_idf_held_verbatim_in_any_case():
    texts = [
        "Der Stadtrat von Libilukox hat beschlossen.",
        "Der Stadtrat von Liborudox hat beschlossen.",
        "LIBILUKOX und Motukogmann",
        "Libilukoxer Straße",
    ]
    evidence = name_evidence(texts, {"libilukox": 3.0, "motukogmann": 1.0})
    assert evidence.dtype == np.float32
    assert evidence.tolist() == pytest.approx([0.75, 0.0, 1.0, 0.0])
    assert name_evidence(texts, {}).tolist() == [0.0] * 4
