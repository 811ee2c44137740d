"""The conversation set behind `qa bench chat`: big enough, both languages, every gold paragraph exists."""

from __future__ import annotations

import json

import pytest

from qa.lab.bench_chat import load_conversations
from qa.text.ingest import read_documents

from ..conftest import SEEDS, XQUAD


def test_the_set_has_30_conversations_in_german_and_english():
    conversations, seed_source = load_conversations()
    assert len(conversations) >= 30
    # the gold "seed" article is the one whose source the set names (its front matter says dpa)
    assert any(d.source == seed_source for d in read_documents([SEEDS]))
    assert {c.language for c in conversations} == {"de", "en"}
    assert all(2 <= len(c.turns) <= 3 and c.turns[0].kind == "first" for c in conversations)
    followups = [t for c in conversations for t in c.turns if t.kind == "follow-up"]
    assert len(followups) >= 30 and any(t.kind == "self-contained" for c in conversations for t in c.turns)
    assert {t.article for c in conversations for t in c.turns} > {"seed"}


def test_gold_paragraphs_exist():
    if not (XQUAD / "xquad.de.json").exists():
        pytest.skip(f"no XQuAD in {XQUAD}")
    conversations, _ = load_conversations()
    articles = {a["title"]: len(a["paragraphs"]) for a in json.loads((XQUAD / "xquad.de.json").read_text())["data"]}
    for turn in (t for c in conversations for t in c.turns):
        if turn.article == "seed":
            assert 0 <= turn.paragraph < 15
        else:
            assert 0 <= turn.paragraph < articles[turn.article], turn
