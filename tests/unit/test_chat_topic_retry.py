"""A question that stands on its own mid-conversation but names no story ("Wie lange hat die Feuerwehr zum
Löschen gebraucht?") is asked again with the conversation's topic when it is refused alone; an
unrelated question stays refused."""

from __future__ import annotations

import pytest

from qa.chat.conversation import Message, Resolution, answers_with_topic, resolve_all, with_topic_when_refused
from qa.chat.reply import cited_title
from qa.records import NO_MATCH, Answer, DocumentRef, Highlight, Hit

BLACKOUT = (
    "Nach einem Brand in einem Umspannwerk sind am Dienstagabend große Teile Dresdens ohne Strom gewesen.",
    "Dresden (dpa/sn) - Ein Brand im Umspannwerk Dresden-Reick hat am Dienstagabend einen großflächigen"
    " Stromausfall ausgelöst. Rund 110.000 Haushalte waren nach Angaben des Netzbetreibers SachsenNetze bis zu"
    " fünf Stunden ohne Strom.",
    "Das Feuer war gegen 18.40 Uhr in einem Transformator ausgebrochen. Die Feuerwehr rückte mit 60"
    " Einsatzkräften an und hatte den Brand nach knapp zwei Stunden unter Kontrolle. Verletzt wurde niemand.",
    "Als Ursache vermutet der Netzbetreiber einen Isolationsfehler in dem 40 Jahre alten Transformator.",
)
AIRLINE = (
    "Die Fluggesellschaft Nordwind Air stellt ihre Verbindungen ab Bremen zum Sommerflugplan ein.",
    "Bremen (dpa/lni) - Die dänische Fluggesellschaft Nordwind Air verlässt den Flughafen Bremen. Ab dem 29. März"
    " werden die Strecken nach Kopenhagen, Stockholm und Oslo nicht mehr bedient.",
    "Als Grund nannte Nordwind Air die gestiegenen Luftverkehrsteuern und Flughafengebühren in Deutschland.",
)
ZOO = (
    "Im Erlebnis-Zoo Hannover sind zwei Eisbären zur Welt gekommen.",
    "Hannover (dpa/lni) - Die Eisbärin Nanuq hat im Erlebnis-Zoo Hannover Zwillinge geboren. Die Jungtiere kamen"
    " am 14. November in der Wurfhöhle zur Welt, wie der Zoo am Montag mitteilte.",
    "Die Tierpfleger beobachten Mutter und Jungtiere ausschließlich über Kameras.",
)
FIRST = "Was hat den Stromausfall in Dresden ausgelöst?"
FIRE = "Wie lange hat die Feuerwehr zum Löschen gebraucht?"


@pytest.fixture(scope="module")
def newsroom(tmp_path_factory):
    from qa.config import load_settings
    from qa.records import Document, Section
    from qa.service import QAService

    articles = [
        ("strom", "Brand in Umspannwerk: Stromausfall in weiten Teilen Dresdens", "2026-12-01", BLACKOUT),
        ("nordwind", "Nordwind Air zieht sich aus Bremen zurück", "2026-12-03", AIRLINE),
        ("eisbaer", "Eisbär-Zwillinge im Zoo Hannover geboren", "2026-11-30", ZOO),
    ]
    documents = [
        Document(id, title, date, "Testzeitung", tuple(Section("", text) for text in paragraphs))
        for id, title, date, paragraphs in articles
    ]
    directory = tmp_path_factory.mktemp("topic") / "index"
    service = QAService(load_settings({"index_dir": str(directory)}, environ={}), open_index=False)
    service.build_documents(documents)
    yield service
    service.close()


def _second_turn(service, second: str):
    first = service.chat([Message("user", FIRST)])
    return service.chat([Message("user", FIRST), Message("assistant", first.reply), Message("user", second)])


def test_a_refused_turn_is_answered_with_the_conversations_topic(newsroom):
    assert newsroom.ask(FIRE).no_answer  # alone it names no story
    turn = _second_turn(newsroom, FIRE)
    assert not turn.answer.no_answer
    best = turn.answer.hits[0]
    assert (best.document.id, best.position) == ("strom", 2)
    assert "knapp zwei Stunden" in best.highlight.sentence
    assert turn.resolution.resolved.startswith("Wie lange hat die Feuerwehr zum Löschen gebraucht (")
    assert "Dresden" in turn.resolution.resolved
    assert turn.resolution.followup and not turn.resolution.rewritten  # asked with the topic: nothing to show


def test_an_unrelated_question_mid_conversation_stays_refused(newsroom):
    turn = _second_turn(newsroom, "Was ist ein gutes Rezept für Bananenbrot?")
    assert turn.answer.no_answer and turn.resolution.strategy == "none"


def test_a_first_question_is_never_asked_again():
    (only,) = resolve_all([Message("user", FIRE)])
    assert only.with_topic == ""


def test_only_refused_turns_that_stand_alone_are_asked_again():
    standing = resolve_all([Message("user", FIRST), Message("assistant", "…"), Message("user", FIRE)])[-1]
    assert standing.strategy == "none" and standing.with_topic.startswith(FIRE[:-1] + " (")
    leaning = resolve_all([Message("user", FIRST), Message("assistant", "…"), Message("user", "Und warum?")])[-1]
    refused = Answer(FIRE, "de", "hybrid", (), True, 1.0, reason=NO_MATCH)
    answered = Answer(FIRE, "de", "hybrid", (_hit("strom", "Titel", "de", "Die Feuerwehr kam."),), False, 1.0)
    assert with_topic_when_refused([standing, leaning], [refused, refused]) == [0]
    assert with_topic_when_refused([standing], [answered]) == []


def _hit(document: str, title: str, language: str, text: str) -> Hit:
    return Hit(
        1, 2, text, "", language, 1.0, 0.9, 1.0, Highlight(text, 0, len(text)), DocumentRef(document, title, None, "s")
    )


def _turn(question: str, shown: str) -> Resolution:
    return Resolution(question, question, "de", "context", shown=shown)


@pytest.mark.parametrize(
    ("question", "hit", "kept"),
    [
        (FIRE, _hit("strom", "Stromausfall in Dresden", "de", "Die Feuerwehr rückte mit 60 Kräften an."), True),
        # in another language the question's own words cannot be compared
        (FIRE, _hit("strom", "Stromausfall in Dresden", "en", "The fire brigade needed two hours."), False),
        # an article no reply of the conversation quoted is another story
        (FIRE, _hit("zoo", "Eisbären in Hannover", "de", "Die Feuerwehr half beim Umzug."), False),
        # none of the question's own words: the topic words alone carried it there
        (
            "Was ist ein gutes Rezept für Bananenbrot?",
            _hit("strom", "Stromausfall in Dresden", "de", "Der Strom fiel aus."),
            False,
        ),
        # a place alone names no subject
        (
            "Wie wird das Wetter in Dresden?",
            _hit("strom", "Stromausfall in Dresden", "de", "In Dresden fiel der Strom aus."),
            False,
        ),
    ],
)
def test_a_second_answer_counts_only_on_the_questions_own_words(question, hit, kept):
    shown = 'Laut dem Artikel „Stromausfall in Dresden“ vom 1. Dezember 2026: "..."'
    assert answers_with_topic(_turn(question, shown), Answer(question, "de", "hybrid", (hit,), False, 1.0)) is kept


REPLY = 'Laut dem Artikel „Stromausfall in Dresden“ vom 1. Dezember 2026: "Ein Brand hat den Stromausfall ausgelöst."'
FIRE_REPLY = (
    'Laut dem Artikel „Stromausfall in Dresden“ vom 1. Dezember 2026: "Die Feuerwehr rückte mit 60 Kräften an."'
)
REFUSAL = (
    "Dazu habe ich in den Artikeln keine passende Stelle gefunden. Bitte fragen Sie anders oder nach etwas anderem."
)


def test_a_reply_tells_the_article_it_quoted():
    assert cited_title(REPLY) == "Stromausfall in Dresden"
    english = (
        '(Understood as: last week) According to the article “Nordwind Air to quit Bremen” of 3 December 2026: "x"'
    )
    assert cited_title(english) == "Nordwind Air to quit Bremen"
    assert cited_title(REFUSAL) is None


@pytest.mark.parametrize(("fire_reply", "carried"), [(FIRE_REPLY, True), (REFUSAL, False)])
def test_the_story_goes_on_after_a_turn_answered_from_it(fire_reply, carried):
    messages = [Message("user", FIRST), Message("assistant", REPLY), Message("user", FIRE)]
    messages += [Message("assistant", fire_reply), Message("user", "Und was war die Ursache?")]
    cause = resolve_all(messages)[-1]
    assert cause.strategy == "context" and "Feuerwehr" in cause.resolved
    # answered from the article the first reply quoted, the fire brigade's turn went on with Dresden's story
    assert ("Dresden" in cause.resolved) is carried
