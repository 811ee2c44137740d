"""The chat's short reply: the best sentence quoted with its article and date, in the user's language."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qa.records import NO_CONTENT, Answer

if TYPE_CHECKING:  # the conversation reads replies back (`cited_title`)
    from qa.chat.conversation import Resolution

_MONTHS = {
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember".split(),
    "en": "January February March April May June July August September October November December".split(),
}
_TEMPLATES = {
    "de": {
        "dated": 'Laut dem Artikel „{title}“ vom {date}: "{sentence}"',
        "undated": 'Laut dem Artikel „{title}“: "{sentence}"',
        "no_answer": "Dazu habe ich in den Artikeln keine passende Stelle gefunden. "
        "Bitte fragen Sie anders oder nach etwas anderem.",
        "no_content": "Die Frage enthält kein Wort, nach dem ich suchen könnte. Bitte fragen Sie nach etwas.",
        "truncated": "(Die Frage war zu lang; gesucht wurde nach ihrem Anfang.) ",
    },
    "en": {
        "dated": 'According to the article “{title}” of {date}: "{sentence}"',
        "undated": 'According to the article “{title}”: "{sentence}"',
        "no_answer": "I found no matching passage in the articles. Please rephrase the question or ask something else.",
        "no_content": "The question has no word I could search for. Please ask about something.",
        "truncated": "(The question was too long; its beginning was searched.) ",
    },
}


# what comes before and right after the title in a reply that quotes an article, in each language; a title
# is read up to MAX_TITLE characters, so a history of nothing but openings costs milliseconds, not seconds
MAX_TITLE = 300
_CITED = re.compile(
    "|".join(
        f"{re.escape(before)}([^{re.escape(after[0])}]{{1,{MAX_TITLE}}}){re.escape(after[0])}"
        for before, after in (texts["undated"].split("{title}") for texts in _TEMPLATES.values())
    )
)


def cited_title(reply: str) -> str | None:
    """The title of the article a reply (`compose_reply`) quoted; None for a refusal."""
    found = _CITED.search(reply)
    return next((title for title in found.groups() if title), None) if found else None


def format_date(iso_date: str, language: str) -> str:
    """'2025-09-04' -> '4. September 2025' (de) or '4 September 2025' (en)."""
    day = dt.date.fromisoformat(iso_date)
    month = _MONTHS.get(language, _MONTHS["en"])[day.month - 1]
    return f"{day.day}. {month} {day.year}" if language == "de" else f"{day.day} {month} {day.year}"


def compose_reply(answer: Answer, language: str) -> str:
    """Quote the best passage's highlighted sentence and cite its article, or say plainly that nothing matched."""
    texts = _TEMPLATES.get(language, _TEMPLATES["en"])
    if answer.reason == NO_CONTENT:
        return texts["no_content"]
    note = texts["truncated"] if answer.truncated else ""
    # The time read from the question comes first: "(Verstanden als: letzte Woche (1.–7. September 2025)) ..."
    understood = f"({answer.scope.understood}) " if answer.scope.understood else ""
    if answer.no_answer or not answer.hits:
        return understood + note + texts["no_answer"]
    best = answer.hits[0]
    sentence = best.highlight.sentence.strip()
    if best.document.date:
        date = format_date(best.document.date, language)
        return understood + texts["dated"].format(title=best.document.title, date=date, sentence=sentence) + note
    return understood + texts["undated"].format(title=best.document.title, sentence=sentence) + note


@dataclass(frozen=True, slots=True)
class ChatAnswer:
    """What a chat turn gets: the question as understood, the passages, and a reply that cites them."""

    resolution: Resolution
    answer: Answer
    reply: str

    def __post_init__(self) -> None:
        if not self.reply:
            raise ValueError("a chat answer needs a reply")

    def to_dict(self) -> dict:
        answer = self.answer.to_dict()
        return {
            "question": self.resolution.question,
            "resolved_question": self.resolution.resolved,
            "followup": self.resolution.followup,
            "rewritten": self.resolution.rewritten,
            "language": self.resolution.language,
            "mode": answer["mode"],
            "no_answer": answer["no_answer"],
            "reply": self.reply,
            "passages": answer["passages"],
            "took_ms": answer["took_ms"],
            "applied": answer["applied"],
        }
