"""Follow-up resolution: rewrites worked out by hand, and self-contained questions left alone."""

from __future__ import annotations

import pytest

from qa.chat.conversation import Message, resolve, resolve_all, resolve_turn
from qa.chat.mentions import mentions, message_language
from qa.chat.reply import format_date

MERZ_REPLY = (
    "Laut dem Artikel „Die Staats- und Regierungschefs …“ vom 4. September 2025: "
    '"Bundeskanzler Friedrich Merz (CDU) und wohl auch der britische Premier wollen nur virtuell an der Sitzung '
    'teilnehmen."'
)
KARIS_REPLY = (
    'According to the article “Die Staats- …” of 4 September 2025: "Karis bekräftigte, dass Estland bereit sei, '
    'Soldaten für eine mögliche europäische Friedenstruppe bereitzustellen."'
)
BOERTE_REPLY = (
    'According to the article “Genghis Khan”: "As previously arranged by his father, Temüjin married Börte of the '
    'Onggirat tribe when he was around 16."'
)


@pytest.mark.parametrize(
    ("followup", "previous", "answer", "resolved", "strategy"),
    [
        ("Und Deutschland?", "Was hat Estland versprochen?", "", "Was hat Deutschland versprochen?", "substitute"),
        ("And Germany?", "What did Estonia promise?", "", "What did Germany promise?", "substitute"),
        (
            "Was ist mit Frankreich?",
            "Was hat Estland versprochen?",
            "",
            "Was hat Frankreich versprochen?",
            "substitute",
        ),
        (
            "Und Deutschland?",
            "Welches Land ist bereit, Soldaten bereitzustellen?",
            KARIS_REPLY,
            "Ist Deutschland bereit, Soldaten bereitzustellen?",
            "substitute",
        ),
        (
            "Und warum?",
            "Wer nimmt an dem Treffen nur virtuell teil?",
            MERZ_REPLY,
            "Warum nimmt Bundeskanzler Friedrich Merz an dem Treffen nur virtuell teil?",
            "ellipsis",
        ),
        (
            "and why?",
            "Who takes part in the meeting only virtually?",
            MERZ_REPLY,
            "Why does Friedrich Merz take part in the meeting only virtually?",
            "ellipsis",
        ),
        (
            "Why?",
            "Which country is ready to provide soldiers?",
            KARIS_REPLY,
            "Why is Estonia ready to provide soldiers?",
            "ellipsis",
        ),
        ("Wann?", "Was fordert Putin?", "", "Wann fordert Putin?", "ellipsis"),
        ("Who kidnapped her?", "Who did Temüjin marry?", BOERTE_REPLY, "Who kidnapped Börte?", "pronoun"),
        (
            "Wann wurde er geboren?",
            "Wo arbeitete Nikola Tesla 1882?",
            "",
            "Wann wurde Nikola Tesla geboren?",
            "pronoun",
        ),
        (
            "When were his patents upheld?",
            "What did Tesla say about Marconi?",
            "",
            "When were Tesla's patents upheld?",
            "pronoun",
        ),
        (
            "Wann wurden seine Patente anerkannt?",
            "Was witzelte Tesla über Marconi?",
            "",
            "Wann wurden Teslas Patente anerkannt?",
            "pronoun",
        ),
        (
            "Wie viele Menschen starben dort?",
            "Wann wütete die Pest in Paris?",
            "",
            "Wie viele Menschen starben in Paris?",
            "pronoun",
        ),
        # the measure asked for goes with its question word: not "Wo hoch war die stärkste Böe?"
        ("Und wo?", "Wie hoch war die stärkste Böe?", "", "Wo war die stärkste Böe?", "ellipsis"),
        ("And where?", "How high was the strongest gust?", "", "Where was the strongest gust?", "ellipsis"),
        # and "why" of a measure is no "Why is the zone?": the previous question goes along as topic
        ("Why?", "How big is the protection zone?", "", "Why (big, protection, zone)?", "context"),
    ],
)
def test_followups_are_rewritten(followup, previous, answer, resolved, strategy):
    resolution = resolve_turn(followup, previous, answer)
    assert (resolution.resolved, resolution.strategy) == (resolved, strategy)
    assert resolution.followup and resolution.question == followup


@pytest.mark.parametrize(
    ("question", "previous"),
    [
        ("Which NFL team won Super Bowl 50?", "What did Estonia promise?"),
        ("Was fordert Putin?", "Wer nimmt an dem Treffen nur virtuell teil?"),
        ("When did Tesla die and where was he buried?", "Who won Super Bowl 50?"),
        ("Gibt es in Kenia Kinderarbeit?", "Was fordert Putin?"),
        ("Is there a stock exchange in Warsaw?", "Who founded Harvard?"),
        ("Wer nimmt an dem Treffen nur virtuell teil?", None),
    ],
)
def test_self_contained_questions_pass_unchanged(question, previous):
    resolution = resolve_turn(question, previous, "")
    assert resolution.resolved == question and resolution.strategy == "none" and not resolution.followup


def test_event_words_bring_the_previous_question_along():
    resolution = resolve_turn("Was sagt Rutte dazu?", "Wer nimmt an dem Treffen nur virtuell teil?", MERZ_REPLY)
    assert resolution.strategy == "context"
    assert resolution.resolved.startswith("Was sagt Rutte dazu (")
    assert "Treffen" in resolution.resolved and "Merz" in resolution.resolved


def test_a_german_question_without_a_noun_is_asked_with_the_topic():
    """German writes every noun with a capital: a question with none names no thing of its own and leans on
    the turn before, however many words it has ("Warum so viel mehr als geplant?"); one with a noun of
    its own stays as typed."""
    previous = "Wie viel kostet das neue Hallenbad in Göttingen?"
    leaning = resolve_turn("Warum so viel mehr als geplant?", previous, "")
    assert leaning.strategy == "context" and "Hallenbad" in leaning.resolved and "Göttingen" in leaning.resolved
    own = resolve_turn("Warum sind Baupreise so stark gestiegen?", previous, "")
    assert own.strategy == "none" and own.resolved == "Warum sind Baupreise so stark gestiegen?"
    # typed all in lower case, a message has no capitals to tell a noun by: a new question stays as typed
    lower = resolve_turn("wie viele schafe hat der wolf im vogelsberg gerissen", previous, "")
    assert lower.strategy == "none"


def test_three_turns_chain_on_the_resolved_question():
    messages = [
        Message("user", "What did Estonia promise?"),
        Message("assistant", KARIS_REPLY),
        Message("user", "And Germany?"),
        Message("assistant", "…"),
        Message("user", "And France?"),
    ]
    assert [r.resolved for r in resolve_all(messages)] == [
        "What did Estonia promise?",
        "What did Germany promise?",
        "What did France promise?",
    ]
    assert resolve(messages).resolved == "What did France promise?"


def test_a_conversation_must_end_with_the_user():
    with pytest.raises(ValueError):
        resolve([Message("user", "Wer?"), Message("assistant", "Merz")])
    with pytest.raises(ValueError):
        Message("system", "be nice")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Und warum?", "de"),
        ("and why?", "en"),
        ("Und Deutschland?", "de"),
        ("What about France?", "en"),
        ("Wann?", "de"),
    ],
)
def test_short_messages_get_their_language(text, language):
    assert message_language(text) == language


def test_mentions_skip_german_common_nouns():
    text = "Karis bekräftigte, dass Estland bereit sei, für eine mögliche europäische Friedenstruppe zu sorgen."
    assert mentions(text, "de") == ["Karis", "Estland"]
    assert mentions("Who did Nikola Tesla meet in New York?", "en") == ["Nikola Tesla", "New York"]


def test_dates_read_naturally():
    assert format_date("2025-09-04", "de") == "4. September 2025"
    assert format_date("2025-09-04", "en") == "4 September 2025"


def test_the_quoted_sentence_is_taken_from_a_cited_reply():
    from qa.chat.mentions import answer_text

    assert answer_text('Laut dem Artikel „X“ vom 4. September 2025: "Estland ist bereit."') == "Estland ist bereit."
    assert answer_text("According to the article: «Estonia is ready.» ") == "Estonia is ready."
    assert answer_text("No quote here: just text") == "No quote here: just text"
    assert answer_text(': "a' + " " * 20_000 + "b") == "a" + " " * 20_000 + "b"


@pytest.mark.parametrize(
    ("turns", "expected"),
    [
        (
            [
                ("user", "Welches Land ist bereit, Soldaten bereitzustellen?"),
                (
                    "assistant",
                    'Laut dem Artikel „K“ vom 4. September 2025: "Karis bekräftigte, dass Estland bereit sei."',
                ),
                ("user", "Und wer ist dort Präsident?"),
            ],
            "Und wer ist in Estland Präsident?",
        ),
        (
            [
                ("user", "Who asked Zelensky to come to Moscow?"),
                (
                    "assistant",
                    'According to the article “K”: "So forderte Russlands Präsident Wladimir Putin bei einer '
                    'Pressekonferenz in China Selenskyj auf, nach Moskau zu kommen."',
                ),
                ("user", "Is his country ready to keep fighting the war?"),
            ],
            "Is Wladimir Putin's country ready to keep fighting the war?",
        ),
    ],
)
def test_a_follow_up_points_into_the_previous_answer(turns, expected):
    assert resolve([Message(role, content) for role, content in turns]).resolved == expected


@pytest.mark.parametrize(
    ("followup", "previous", "answer", "wrong"),
    [
        # a capitalised German noun is no person ("Was kündigte Jahren an?")
        ("Was hat er angekündigt?", "Was passierte vor 20 Jahren im Hafen?", "", "Jahren"),
        # a dateline, a month and a weekday are no person
        (
            "What did he say about cutting rates again?",
            "Who cut the deposit rate?",
            'According to the article “ECB cuts”: "FRANKFURT, Oct 30 - The ECB lowered its deposit rate."',
            "FRANKFURT",
        ),
        ("What did he say after the match?", "Who was Kassel's coach when they lost at Heilbronn?", "", "Heilbronn"),
        (
            "Was hat er den Streikenden gesagt?",
            "Wer führt die Gewerkschaft?",
            'Laut dem Artikel „Tube“: "Millions of Londoners faced a difficult journey on Wednesday."',
            "Millions",
        ),
        # a possessive, a club among the topic words of a context fallback
        (
            "Who replaced him?",
            "What did he say after the match (Union, Kassel's, coach, lost, Heilbronn)?",
            "",
            "Kassel",
        ),
        # a dateline with its agency, an organisation's name, a German compound ending in an organisation word
        (
            "Was hat er den Streikenden gesagt?",
            "Wer führt die Gewerkschaft, die die Londoner U-Bahn bestreikt?",
            'Laut dem Artikel „Streik“: "Frankfurt/Main (dpa) - Die Gewerkschaft Deutscher Triebfahrzeugführer '
            '(GDT) ruft ihre Mitglieder zum Streik auf."',
            "Frankfurt",
        ),
        (
            "Was hat er den Streikenden gesagt?",
            "Wer führt die Gewerkschaft, die die Londoner U-Bahn bestreikt?",
            'Laut dem Artikel „Streik“: "Die Gewerkschaft Deutscher Triebfahrzeugführer ruft zum Streik auf."',
            "Deutscher",
        ),
        (
            "Was hat er den Streikenden gesagt?",
            "Wer führt die Gewerkschaft, die die Londoner U-Bahn bestreikt?",
            "",
            "U-Bahn",
        ),
        # the title of a film in quotes
        (
            "Wem hat sie den Preis gewidmet?",
            "Welche Regisseurin hat in Konstanz die Goldene Möwe gewonnen?",
            'Laut dem Artikel „Festival“: "Konstanz (dpa) - Der Spielfilm «Nebelland» hat die Goldene Möwe gewonnen."',
            "Nebelland",
        ),
    ],
)
def test_a_person_pronoun_never_takes_a_word_that_is_no_person(followup, previous, answer, wrong):
    resolution = resolve_turn(followup, previous, answer)
    assert wrong not in resolution.resolved.split("(")[0], resolution.resolved
    assert resolution.followup  # the conversation's topic still goes along as context


def test_a_person_question_takes_the_new_person_of_the_answer():
    reply = (
        'According to the article “Helmbach”: "Hollerbach, a former logistics manager, took over from founder '
        'Wilhelm Helmbach in 2016."'
    )
    resolution = resolve_turn("Welche Prämie hat sie versprochen?", "Wer führt die Drogeriekette Helmbach?", reply)
    assert resolution.resolved == "Welche Prämie hat Hollerbach versprochen?"


def test_what_about_a_country_takes_the_place_of_the_countries_asked_about():
    previous = "How many measles cases did European countries report in the latest figures?"
    resolution = resolve_turn("What about Germany?", previous)
    assert resolution.resolved == "How many measles cases did Germany report in the latest figures?"


@pytest.mark.parametrize(
    ("previous", "followup", "resolved"),
    [
        (
            "Wie viel Getreide hat der Nordhafen im Oktober umgeschlagen?",
            "Und warum?",
            "Warum hat der Nordhafen im Oktober Getreide umgeschlagen?",
        ),
        (
            "How many containers did the port of Hamburg handle?",
            "Why?",
            "Why did the port of Hamburg handle containers?",
        ),
        ("Wie viele Menschen starben?", "Warum?", "Warum starben Menschen?"),
    ],
)
def test_why_after_a_quantity_question_asks_about_the_counted_thing(previous, followup, resolved):
    resolution = resolve_turn(followup, previous)
    assert resolution.resolved == resolved and resolution.rewritten


def test_a_followup_knows_every_reply_shown_before_it():
    messages = [
        Message("user", "What did Estonia promise?"),
        Message("assistant", KARIS_REPLY),
        Message("user", "And Germany?"),
        Message("assistant", "Nothing found."),
        Message("user", "Who is the president of France?"),
        Message("user", "And Italy?"),
    ]
    first, germany, france, italy = resolve_all(messages)
    assert first.shown == "" and first.with_topic == ""  # the first turn: nothing before it
    # a question on its own words is asked as typed (the service leaves nothing out for it); the replies
    # before it only judge it when it is refused and asked again with the topic
    assert not france.followup and france.with_topic and france.shown == KARIS_REPLY + "\nNothing found."
    assert germany.followup and germany.shown == KARIS_REPLY
    assert italy.followup and italy.shown == KARIS_REPLY + "\nNothing found."
