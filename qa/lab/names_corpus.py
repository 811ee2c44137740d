"""Invented-name articles for `qa bench names`: short German local news about places, people and
companies whose names look alike ("Libilukox", "Liborudox"), with a German and an English question
each that names its article's place, person or company.

Why invented names: a real name may be known to the encoder; an invented one is only a string, so the
benchmark measures whether an exact rare name beats a look-alike, not what the model memorised.
Names come in families of five that share a prefix and a suffix, and every article of a family tells
the same kind of story (the same template, other details), so the name is the only reliable clue.
Deterministic: the same seed gives the same articles and questions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from qa.records import Document, Section

KINDS = ("place", "person", "company")
_ONSETS = ("b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z")
_VOWELS = ("a", "e", "i", "o", "u")
_PLACE_SUFFIXES = ("ox", "ingen", "au", "heim", "dorf", "stedt", "berg", "ach", "ow", "itz")
_PERSON_SUFFIXES = ("mann", "er", "ski", "ner", "ke", "lin", "rich")
_COMPANY_SUFFIXES = ("tex", "plan", "tronik", "werk", "med", "sol")
_FIRST_NAMES = ("Anna", "Jonas", "Miriam", "Lukas", "Petra", "Stefan", "Julia", "Tobias", "Sabine", "Felix")
_WEEKDAYS = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag")
_DECISIONS = (
    "das Hallenbad zu sanieren",
    "eine neue Grundschule zu bauen",
    "die Parkgebühren zu erhöhen",
    "einen Radweg entlang der Hauptstraße anzulegen",
    "das alte Rathaus zu verkaufen",
    "die Straßenbeleuchtung auf LED umzustellen",
    "ein Neubaugebiet am Ortsrand auszuweisen",
)
_FOCUS = ("den Verkehr", "die Schulen", "den Haushalt", "das Ehrenamt")
_PRODUCTS = ("Solarmodule", "Fahrradrahmen", "Verpackungen", "Medizintechnik", "Gartenmöbel", "Kabel")
_OFFICES = ("Bürgermeisterin", "Landrätin", "Schulleiterin", "Vorsitzende des Heimatvereins")
_OFFICES_EN = ("mayor", "district administrator", "head teacher", "chair of the local history society")


@dataclass(frozen=True, slots=True)
class NamedArticle:
    """One generated article, the name its questions ask about and the questions in both languages."""

    document: Document
    kind: str
    name: str
    family: int
    question_de: str
    question_en: str


def _syllable(rng: random.Random) -> str:
    return rng.choice(_ONSETS) + rng.choice(_VOWELS)


def _family_names(rng: random.Random, suffix: str, size: int, taken: set[str]) -> list[str]:
    """`size` names with one shared prefix (consonant-vowel-consonant) and `suffix`: look-alikes."""
    while True:
        prefix = _syllable(rng).upper()[0] + _syllable(rng)[1] + rng.choice(_ONSETS)
        names: list[str] = []
        for _ in range(size * 20):
            name = prefix + rng.choice(_VOWELS) + _syllable(rng) + rng.choice(_ONSETS[:8]) + suffix
            if name not in taken and name not in names:
                names.append(name)
            if len(names) == size:
                taken.update(names)
                return names


def _place_article(rng: random.Random, place: str) -> tuple[str, str, str]:
    decision = rng.choice(_DECISIONS)
    votes, against = rng.randint(14, 30), rng.randint(1, 12)
    cost = rng.randint(2, 40)
    speaker = rng.choice(("Der Bürgermeister", "Die Bürgermeisterin", "Der Kämmerer", "Die Fraktionschefin"))
    text = (
        f"Der Stadtrat von {place} hat am {rng.choice(_WEEKDAYS)} beschlossen, {decision}. "
        f"{votes} Ratsmitglieder stimmten dafür, {against} dagegen. "
        f"Die Kosten schätzt die Verwaltung auf {cost} Millionen Euro. "
        f"{speaker} sprach von einem wichtigen Schritt für die Stadt."
    )
    return (
        text,
        rng.choice((f"Was hat der Stadtrat von {place} beschlossen?", f"Wofür hat sich {place} entschieden?")),
        rng.choice((f"What did the town council of {place} decide?", f"What has {place} agreed to do?")),
    )


def _person_article(rng: random.Random, surname: str) -> tuple[str, str, str]:
    first = rng.choice(_FIRST_NAMES)
    office = rng.randrange(len(_OFFICES))
    share = rng.randint(51, 78)
    text = (
        f"{first} {surname} ist die neue {_OFFICES[office]}. "
        f"Die {rng.randint(34, 61)}-Jährige setzte sich mit {share} Prozent der Stimmen durch. "
        f"Sie will sich zuerst um {rng.choice(_FOCUS)} kümmern. "
        f"Ihr Amt tritt sie am {rng.randint(1, 28)}. {rng.choice(('März', 'April', 'Mai', 'Juni'))} an."
    )
    return (
        text,
        rng.choice((f"Welches Amt übernimmt {first} {surname}?", f"Wozu wurde {surname} gewählt?")),
        rng.choice((f"Which office does {first} {surname} take on?", f"What was {surname} elected as?")),
    )


def _company_article(rng: random.Random, company: str) -> tuple[str, str, str]:
    jobs = rng.randint(2, 40) * 10
    text = (
        f"Der Hersteller {company} streicht {jobs} Stellen. "
        f"Das Unternehmen, das {rng.choice(_PRODUCTS)} herstellt, begründet den Schritt mit gesunkener Nachfrage. "
        f"Die Gewerkschaft kündigte Proteste an. "
        f"{company} beschäftigt derzeit rund {rng.randint(5, 30) * 100} Menschen."
    )
    return (
        text,
        rng.choice((f"Wie viele Stellen streicht {company}?", f"Wie viele Jobs fallen bei {company} weg?")),
        rng.choice((f"How many jobs is {company} cutting?", f"How many workers will {company} lay off?")),
    )


_NEIGHBOURS = (
    "Zuletzt hatte auch {other} über ein ähnliches Vorhaben beraten.",
    "Beobachter verweisen auf den Fall {other}.",
    "In der Region gilt {other} als Vorbild.",
)


def _mention(rng: random.Random, text: str, other: str, share: float) -> str:
    """Now and then an article names a look-alike too: then the name alone is not enough, it must count."""
    if rng.random() >= share:
        return text
    return f"{text} {rng.choice(_NEIGHBOURS).format(other=other)}"


def generate(
    articles: int = 240, seed: int = 15, family_size: int = 8, mention_share: float = 0.3
) -> list[NamedArticle]:
    """`articles` invented-name articles (a multiple of `family_size` is used), kinds in turn by family."""
    if articles < family_size or family_size < 2:
        raise ValueError(f"need at least {family_size} articles and families of at least 2")
    rng = random.Random(seed)
    taken: set[str] = set()
    result: list[NamedArticle] = []
    for family in range(articles // family_size):
        kind = KINDS[family % len(KINDS)]
        suffixes = {"place": _PLACE_SUFFIXES, "person": _PERSON_SUFFIXES, "company": _COMPANY_SUFFIXES}[kind]
        names = _family_names(rng, rng.choice(suffixes), family_size, taken)
        if kind == "company":
            names = [name.upper() if rng.random() < 0.2 else name for name in names]
        for member, name in enumerate(names):
            write = {"place": _place_article, "person": _person_article, "company": _company_article}[kind]
            text, question_de, question_en = write(rng, name)
            text = _mention(rng, text, rng.choice([n for n in names if n != name]), mention_share)
            document = Document(
                id=f"names-{family:03d}-{member}",
                title="Aus der Region",
                date=f"2026-{1 + family % 12:02d}-{1 + member:02d}",
                source="names-benchmark",
                sections=(Section(heading="", text=text),),
            )
            result.append(NamedArticle(document, kind, name, family, question_de, question_en))
    return result
