"""`qa bench newsroom`: the newsroom set (qa.lab.newsroom) asked through the service, per half.

Every question goes through `QAService.ask` and every conversation turn through `QAService.chat`,
as the API asks them (time words read, the no-answer decision taken), over a throw-away index of the
set's articles. A question counts as found at 1 when the answer's first passage is its answering
paragraph; a refusal counts as not found. Figures per half (tune, held-out) and per language
direction; for the tune half also by kind of question and by where the answer stands (teaser,
paragraph 2, later), to see what fails.
"""

from __future__ import annotations

import logging
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from qa.chat.conversation import Message
from qa.config import Settings
from qa.encoding.encoder import Encoder
from qa.lab.newsroom import SPLITS, Article, Newsroom, Question
from qa.records import Answer, Filters, Hit, Scope
from qa.service import QAService

logger = logging.getLogger(__name__)

DIRECTIONS = ("de->de", "en->en", "en->de", "de->en")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one question got: the rank of its paragraph among the passages (None: not among them),
    whether the first passage's highlight holds the answer, whether it was refused."""

    question: Question
    rank: int | None
    highlight: bool
    refused: bool
    got: str
    resolved: str = ""
    miss: str = ""

    @property
    def found(self) -> bool:
        return self.rank == 1


def _is_gold(hit: Hit, question: Question) -> bool:
    return hit.document.id == question.article and hit.position == question.paragraph


MISSES = (
    "other paragraph: teaser",
    "other paragraph: lead",
    "other paragraph: later",
    "same story, other language",
    "same story, same language",
    "other story",
    "refused",
)


def miss_kind(question: Question, first: Hit | None, articles: Mapping[str, Article]) -> str:
    """Where a miss went, "" for a hit: another paragraph of the right article (the teaser, the lead after
    it, a later one), another report of the same story (in the question's language or not), another
    story, or no passage. Choosing the article and choosing the paragraph within it fail for different
    reasons, so the benchmark counts them apart."""
    if first is None:
        return "refused"
    if _is_gold(first, question):
        return ""
    if first.document.id == question.article:
        place = "teaser" if first.position == 0 else "lead" if first.position == 1 else "later"
        return f"other paragraph: {place}"
    got, asked = articles.get(first.document.id), articles[question.article]
    if got is None or got.story != asked.story:
        return "other story"
    return "same story, " + ("same language" if got.language == question.language else "other language")


def outcome(
    question: Question, answer: Answer, resolved: str = "", articles: Mapping[str, Article] | None = None
) -> Outcome:
    hits = answer.hits
    rank = next((r for r, hit in enumerate(hits, start=1) if _is_gold(hit, question)), None)
    highlight = rank == 1 and question.answer in hits[0].highlight.sentence
    got = f"{hits[0].document.id}#{hits[0].position}: {hits[0].highlight.sentence[:90]}" if hits else "no answer"
    miss = miss_kind(question, hits[0] if hits else None, articles) if articles is not None else ""
    return Outcome(question, rank, highlight, answer.no_answer, got, resolved, miss)


def miss_counts(outcomes: list[Outcome]) -> dict[str, int]:
    """How many questions missed each way (MISSES order; kinds that did not occur left out)."""
    counts = {kind: sum(o.miss == kind for o in outcomes) for kind in MISSES}
    return {kind: n for kind, n in counts.items() if n}


def _share(values: Iterable[bool]) -> float | None:
    values = list(values)
    return round(sum(values) / len(values), 3) if values else None


def table(outcomes: list[Outcome]) -> dict:
    """R@1, R@5, answer in the highlight and refused answerable questions, per direction and overall."""
    rows: dict[str, dict] = {}
    groups = {d: [o for o in outcomes if o.question.direction == d] for d in DIRECTIONS}
    groups["all"] = outcomes
    for name, group in groups.items():
        rows[name] = {
            "n": len(group),
            "r@1": _share(o.found for o in group),
            "r@5": _share(o.rank is not None and o.rank <= 5 for o in group),
            "highlight": _share(o.highlight for o in group),
            "refused": sum(o.refused for o in group),
        }
    return rows


def breakdown(outcomes: list[Outcome]) -> dict:
    """R@1 by kind of question and by the answering paragraph's place (teaser, 2nd, later)."""
    by: defaultdict[str, list[bool]] = defaultdict(list)
    for o in outcomes:
        by[f"kind {o.question.kind}"].append(o.found)
        place = "teaser" if o.question.paragraph == 0 else "paragraph 2" if o.question.paragraph == 1 else "later"
        by[f"in {place}"].append(o.found)
    return {key: {"n": len(v), "r@1": _share(v)} for key, v in sorted(by.items())}


@dataclass(frozen=True, slots=True)
class NewsroomReport:
    halves: dict[str, dict]
    misses: dict[str, list[dict]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return self.halves


def lower_case(question: str) -> str:
    """The question as a chat user may type it: all in lower case, no question mark."""
    return question.lower().rstrip("?").rstrip()


def ask_all(
    service: QAService, newsroom: Newsroom, top_k: int = 5, asked: str = "questions", typed=lambda q: q
) -> list[Outcome]:
    """The set's `asked` ("questions", "short" or "keywords") through `ask`, each as `typed` gives it."""
    questions = getattr(newsroom, asked)
    answers = service.ask_many([typed(q.text) for q in questions], top_k=top_k)
    articles = {article.id: article for article in newsroom.articles}
    return [outcome(q, a, articles=articles) for q, a in zip(questions, answers, strict=True)]


def play(service: QAService, newsroom: Newsroom, top_k: int = 5) -> list[Outcome]:
    """Every conversation turn by turn through `chat`; each reply becomes the next turn's history."""
    results = []
    for conversation in newsroom.conversations:
        messages: list[Message] = []
        for turn in conversation.turns:
            messages.append(Message("user", turn.text))
            answer = service.chat(messages, top_k=top_k)
            messages.append(Message("assistant", answer.reply))
            results.append(outcome(turn, answer.answer, answer.resolution.resolved))
    return results


def _one_day(day: str) -> Scope:
    return Scope(filters=Filters(date_from=day, date_to=day))


def narrowed(service: QAService, newsroom: Newsroom, split: str) -> dict[str, str]:
    """Refusals when the search is narrowed to one day's articles, as time words in a question narrow it
    ("gestern", "last week": a restricting period becomes a date filter): each off-topic question of
    `split` asked within every day that holds articles, each answerable one within its article's day.
    With a handful of candidates an unrelated passage comes first for lack of competition, so this
    is where an off-topic question is most easily answered, and an answerable one must still pass."""
    dates = {article.id: article.date for article in newsroom.articles}
    days = sorted(set(dates.values()))
    offtopic = [o.text for o in newsroom.offtopic if o.split == split]
    off_refused = sum(
        answer.no_answer
        for day in days
        for answer in service.ask_many(offtopic, top_k=1, scope=_one_day(day), time_from_question=False)
    )
    answerable = [q for q in newsroom.questions if q.split == split]
    wrongly = sum(
        service.ask_many([q.text], top_k=1, scope=_one_day(dates[q.article]), time_from_question=False)[0].no_answer
        for q in answerable
    )
    return {
        "offtopic_refused": f"{off_refused}/{len(offtopic) * len(days)}",
        "answerable_refused": f"{wrongly}/{len(answerable)}",
    }


def report(service: QAService, newsroom: Newsroom) -> NewsroomReport:
    questions = ask_all(service, newsroom)
    short = ask_all(service, newsroom, asked="short")
    keywords = ask_all(service, newsroom, asked="keywords")
    lowered = ask_all(service, newsroom, typed=lower_case) + ask_all(service, newsroom, asked="short", typed=lower_case)
    off_answers = service.ask_many([o.text for o in newsroom.offtopic])
    refused_off = [(o, a.no_answer) for o, a in zip(newsroom.offtopic, off_answers, strict=True)]
    turns = play(service, newsroom)
    halves, misses = {}, {}
    for split in SPLITS:
        mine = [o for o in questions if o.question.split == split]
        off = [refused for o, refused in refused_off if o.split == split]
        followups = [o for o in turns if o.question.split == split and o.question.kind != "first"]
        halves[split] = {
            "questions": table(mine),
            "short": table([o for o in short if o.question.split == split]),
            "keywords": table([o for o in keywords if o.question.split == split]),
            "lower_case": table([o for o in lowered if o.question.split == split])["all"],
            "by": breakdown(mine),
            "misses": miss_counts(mine),
            "offtopic_refused": f"{sum(off)}/{len(off)}",
            "turns_right": f"{sum(o.found for o in turns if o.question.split == split)}/"
            f"{sum(1 for o in turns if o.question.split == split)}",
            "followups_right": f"{sum(o.found for o in followups)}/{len(followups)}",
            "narrowed_to_a_day": narrowed(service, newsroom, split),
        }
        misses[split] = [
            {
                "id": o.question.id,
                "q": o.question.text,
                "resolved": o.resolved,
                "gold": o.question.paragraph,
                "rank": o.rank,
                "got": o.got,
            }
            for o in mine
            + [o for o in short + keywords if o.question.split == split]
            + [t for t in turns if t.question.split == split]
            if not o.found
        ] + [{"offtopic answered": o.text} for o, refused in refused_off if o.split == split and not refused]
    return NewsroomReport(halves, misses)


def run(newsroom: Newsroom, settings: Settings, encoder: Encoder, index_dir: Path | None = None) -> NewsroomReport:
    """Index the set's articles (into `index_dir` when given and kept, else a throw-away directory)
    and report both halves."""
    with tempfile.TemporaryDirectory(prefix="qa-newsroom-") as scratch:
        directory = index_dir or Path(scratch) / "index"
        service = QAService(settings.replace(index_dir=str(directory)), encoder, open_index=False)
        try:
            if not service.ready:
                service.build_documents(newsroom.documents())
            return report(service, newsroom)
        finally:
            service.close()
