"""The rank stage's cosines, worked out by hand: each candidate's own and its best sentence's."""

import dataclasses

import numpy as np
import pytest

from qa.retrieval.highlight import bare_leads
from qa.retrieval.search import _cosines
from qa.storage.record import PassageRow


def _row(passage_id: int, vector, sentences) -> PassageRow:
    return PassageRow(
        id=passage_id,
        document_id=f"d{passage_id}",
        position=0,
        heading="",
        text="x",
        language="de",
        vector=np.asarray(vector, dtype=np.float32),
        sentence_spans=(),
        sentence_vectors=None if sentences is None else np.asarray(sentences, dtype=np.float32).reshape(-1, 2),
        title="t",
        date=None,
        source="",
    )


def test_each_candidate_gets_its_own_cosine_and_its_best_sentences():
    query = np.array([1.0, 0.0], dtype=np.float32)
    candidates = [
        _row(1, [0.6, 0.8], [[0.0, 1.0], [0.8, 0.6], [0.5, 0.5]]),  # best sentence 0.8
        _row(2, [0.9, 0.1], None),  # sentence vectors not stored yet: the passage stands for them
        _row(3, [0.2, 0.9], []),  # no sentence at all: the same
        _row(4, [-1.0, 0.0], [[-0.3, 0.9]]),  # one sentence
    ]
    passage, best = _cosines(candidates, np.stack([row.vector for row in candidates]), query)
    assert passage.dtype == np.float32 and best.dtype == np.float32
    assert passage.tolist() == pytest.approx([0.6, 0.9, 0.2, -1.0])
    assert best.tolist() == pytest.approx([0.8, 0.9, 0.2, -0.3])


def _lead(section: int, sentences: list[str], vectors) -> PassageRow:
    text = " ".join(sentences)
    spans, at = [], 0
    for sentence in sentences:
        spans.append((at, at + len(sentence)))
        at += len(sentence) + 1
    row = _row(section, [1.0, 0.0], vectors)
    return dataclasses.replace(row, text=text, section=section, sentence_spans=tuple(spans))


def test_a_lead_counts_as_bare_unless_its_sentence_closest_to_the_question_gives_a_reason():
    cause, event = "Weil ein Lkw umgekippt ist, war die A1 gesperrt.", "Der Fahrer wurde leicht verletzt."
    lead = _lead(1, [cause, event], [[1.0, 0.0], [0.0, 1.0]])
    assert bare_leads([lead], np.array([1.0, 0.0], dtype=np.float32)) == [False]  # it answers the why
    assert bare_leads([lead], np.array([0.0, 1.0], dtype=np.float32)) == [True]  # a reason for something else
    teaser = _lead(0, ["Auf der A1 ging nichts mehr."], [[1.0, 0.0]])
    body = _lead(2, [event], [[1.0, 0.0]])
    unencoded = _lead(1, [event, cause], None)  # sentence vectors not stored yet: its first sentence stands
    assert bare_leads([teaser, body, unencoded], np.array([1.0, 0.0], dtype=np.float32)) == [True, False, True]
    # a lead without another paragraph of its article among the candidates is not read: no penalty for it
    assert bare_leads([teaser, lead], np.array([0.0, 1.0], dtype=np.float32), among=[False, True]) == [False, True]


def test_a_retrieval_says_whether_a_date_filter_narrowed_it(hash_service):
    """The no-answer decision asks for stronger evidence in a narrowed search (qa.retrieval.no_answer):
    a filter of the request and the period read from time words both narrow it."""
    from qa.records import Filters, Scope

    searcher = hash_service.searcher()
    question = "Wie alt ist die Bäckerei in Köln?"
    assert not searcher.search_many([question], 3)[0].narrowed
    within = Scope(filters=Filters(date_from="2025-02-01", date_to="2025-03-31"))
    assert searcher.search_many([question], 3, scope=within)[0].narrowed
    read = hash_service.scope_questions(["Was backte die Bäckerei in Köln letzte Woche?"], Scope(as_of="2025-03-05"))
    text, scope = read[0]
    assert scope.filters.date_from and searcher.search_many([text], 3, scope=scope)[0].narrowed


LEAD = "Schotten - Auf einer Weide bei Oberkirchbach hat ein Wolf in der Nacht 23 Schafe gerissen."
WOLF = {
    "id": "wolf",
    "title": "Wolf reißt Schafe im Vogelsberg",
    "date": "2025-03-02",
    "source": "wire",
    "text": "Ein Wolf hat im Vogelsberg eine Schafherde angegriffen.\n\n"
    + LEAD
    + "\n\nDer Schäfer hält keine Herdenschutzhunde, weil sie zu teuer sind, sagte er am Montag.",
}
FERRY = {"id": "ferry", "title": "Fähre", "date": "2025-03-01", "source": "wire", "text": LEAD.replace("Wolf", "Fuchs")}


def _answering_service(tmp_path, hash_settings, documents: tuple[dict, ...], *more):
    """A hash-encoder service over `documents` (and the folders `more`) that answers every question: the
    hash encoder's cosines are no evidence for the no-answer cut-offs."""
    import json

    from qa.service import QAService

    corpus = tmp_path / "articles.jsonl"
    corpus.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in documents), "utf-8")
    service = QAService(hash_settings.replace(no_answer_de=-1.0, no_answer_en=-1.0, no_answer_same_language=-1.0))
    service.build([corpus, *more])
    return service


@pytest.fixture
def wolf_service(tmp_path, hash_settings):
    service = _answering_service(tmp_path, hash_settings, (WOLF, FERRY))
    yield service
    service.close()


def _scores(retrieval) -> dict[tuple[str, int], float]:
    return {(hit.document.id, hit.position): hit.score for hit in retrieval.hits}


def test_a_followup_takes_the_lead_it_was_shown_as_less_likely(wolf_service):
    """A chat follow-up asks beyond the teaser or lead an earlier reply quoted: that passage loses
    `shown_lead_penalty` when another paragraph of its article is a candidate; nothing else moves."""
    searcher = wolf_service.searcher()
    question = "Warum hält der Schäfer keine Hunde gegen den Wolf?"
    plain = _scores(searcher.search_many([question], 10)[0])
    reply = f'Laut dem Artikel „Wolf reißt Schafe im Vogelsberg“ vom 2. März 2025: "{LEAD}"'
    followed = _scores(searcher.search_many([question], 10, shown=[reply])[0])
    assert set(plain) == set(followed) == {("wolf", 0), ("wolf", 1), ("wolf", 2), ("ferry", 0)}
    assert followed[("wolf", 1)] == pytest.approx(plain[("wolf", 1)] - 0.1, abs=1e-6)
    # the same sentence in a document of one paragraph is no lead with a body after it: unchanged
    assert followed[("ferry", 0)] == pytest.approx(plain[("ferry", 0)])
    assert followed[("wolf", 0)] == pytest.approx(plain[("wolf", 0)])
    assert followed[("wolf", 2)] == pytest.approx(plain[("wolf", 2)])
    # a body paragraph the reply quoted is not taken off: a follow-up often asks on about it
    body = "Der Schäfer hält keine Herdenschutzhunde, weil sie zu teuer sind, sagte er am Montag."
    assert _scores(searcher.search_many([question], 10, shown=[body])[0]) == pytest.approx(plain)


def test_a_why_question_takes_the_teaser_and_the_lead_as_less_likely(wolf_service):
    """A "why" question asks for the cause, which news writes after the teaser and the dateline lead that
    say what happened: they lose `cause_lead_penalty` while another paragraph of their article is a
    candidate; a body paragraph, a document of one paragraph and a question of another kind keep theirs."""
    searcher, without = wolf_service.searcher(), wolf_service.searcher(cause_lead_penalty=0.0)
    question = "Warum hält der Schäfer keine Hunde gegen den Wolf?"
    plain, lowered = (_scores(s.search_many([question], 10)[0]) for s in (without, searcher))
    penalty = wolf_service.settings.cause_lead_penalty
    assert penalty > 0 and set(plain) == set(lowered) == {("wolf", 0), ("wolf", 1), ("wolf", 2), ("ferry", 0)}
    assert lowered[("wolf", 0)] == pytest.approx(plain[("wolf", 0)] - penalty, abs=1e-6)
    assert lowered[("wolf", 1)] == pytest.approx(plain[("wolf", 1)] - penalty, abs=1e-6)
    assert lowered[("wolf", 2)] == pytest.approx(plain[("wolf", 2)])
    assert lowered[("ferry", 0)] == pytest.approx(plain[("ferry", 0)])
    where = "Wo hält der Schäfer keine Hunde gegen den Wolf?"
    assert _scores(searcher.search_many([where], 10)[0]) == pytest.approx(_scores(without.search_many([where], 10)[0]))


def test_a_chat_followup_knows_what_the_replies_before_it_quoted(wolf_service):
    from qa.chat.conversation import Message

    reply = f'Laut dem Artikel „Wolf reißt Schafe im Vogelsberg“ vom 2. März 2025: "{LEAD}"'
    messages = [
        Message("user", "Wie viele Schafe hat der Wolf bei Oberkirchbach gerissen?"),
        Message("assistant", reply),
        Message("user", "Und was hat der Schäfer dazu gesagt?"),
    ]
    followup = wolf_service.chat(messages, top_k=10)
    assert followup.resolution.followup
    alone = _scores(wolf_service.searcher().search_many([followup.resolution.resolved], 10)[0])
    assert _scores(followup.answer)[("wolf", 1)] == pytest.approx(alone[("wolf", 1)] - 0.1, abs=1e-6)
    # the reply two turns back counts as well: the lead was shown in this conversation
    later = [*messages, Message("assistant", "Dazu habe ich keine passende Stelle gefunden."), messages[-1]]
    assert _scores(wolf_service.chat(later, top_k=10).answer)[("wolf", 1)] == pytest.approx(alone[("wolf", 1)] - 0.1)
    # asked without the history, the same question is no follow-up and nothing is taken off
    again = wolf_service.chat([Message("user", followup.resolution.resolved)], top_k=10)
    assert _scores(again.answer) == pytest.approx(alone)


@pytest.fixture
def wolf_among_others(tmp_path, hash_settings):
    """The wolf article among the test data's: enough passages that a word of three of them is rare."""
    from ..conftest import DATA

    service = _answering_service(tmp_path, hash_settings, (WOLF,), DATA)
    yield service
    service.close()


def test_a_followups_topic_words_count_for_the_article_not_the_paragraph(wolf_among_others):
    """ "Warum (Wolf, Schafe, Oberkirchbach)?": the topic words in brackets choose the story; within it the
    typed words choose the paragraph, so the lead that holds every topic word gains nothing over the
    paragraph after it from them (qa.retrieval.followups)."""
    from qa.text.terms import topic_words

    question = "Warum hält der Schäfer keine Herdenschutzhunde (Wolf, Schafe, Oberkirchbach)?"
    assert topic_words(question) == "Wolf, Schafe, Oberkirchbach" and topic_words("Warum keine?") == ""
    searcher = wolf_among_others.searcher()
    hits = searcher.search_many([question], 10)[0].hits
    lexical = {h.position: h.lexical_score for h in hits if h.document.id == "wolf"}
    typed_only = searcher.search_many(["Warum hält der Schäfer keine Herdenschutzhunde?"], 10)[0].hits
    typed = {h.position: h.lexical_score for h in typed_only if h.document.id == "wolf"}
    # the lead holds the topic words, the body paragraph the typed ones: by the typed words the body leads,
    # and the topic words add the same to both
    assert typed[2] > typed[1] and lexical[2] > lexical[1]
    assert lexical[2] - lexical[1] == pytest.approx(typed[2] - typed[1], rel=0.2)


def test_topic_shares_weigh_the_held_terms():
    from qa.retrieval.followups import topic_shares

    weights = {"wolf": 2.0, "schaf": 1.0, "hund": 3.0}
    held = [{"wolf", "schaf", "weid"}, {"hund", "wolf"}, set()]
    shares = topic_shares({"wolf", "schaf", "hund"}, {"wolf", "schaf"}, weights, held)
    assert shares.tolist() == pytest.approx([1.0, 0.4, 0.0])
