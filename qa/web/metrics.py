"""Operators' metrics at /metrics (Prometheus text format) and the request id of every log line.

Under several gunicorn workers set PROMETHEUS_MULTIPROC_DIR to an empty directory before the start:
each worker then writes its samples there and /metrics, whichever worker answers it, sums them all
(prometheus-client's multiprocess mode; see the README). Without it, the numbers are this process's.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from qa.config import REQUEST_ID, install_request_ids

bp = Blueprint("metrics", __name__)

REQUEST_SECONDS = Histogram(
    "qa_http_request_duration_seconds",
    "Time from a request's arrival to its answer, per endpoint",
    ["endpoint", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
ENCODER_SECONDS = Histogram(
    "qa_encoder_seconds",
    "Time the encoder took per call (questions and passages)",
    ["kind"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5, 30),
)
ANSWERS = Counter(
    "qa_answers_total", "Answers given; no_answer=true when no passage matched well enough", ["endpoint", "no_answer"]
)
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class TimedEncoder:
    """The service's encoder, its every call timed into qa_encoder_seconds."""

    def __init__(self, encoder: Any) -> None:
        self.inner = encoder
        self.name = encoder.name
        self.dim = encoder.dim

    def encode_queries(self, texts: list[str]) -> Any:
        with ENCODER_SECONDS.labels("query").time():
            return self.inner.encode_queries(texts)

    def encode_passages(self, texts: list[str]) -> Any:
        with ENCODER_SECONDS.labels("passage").time():
            return self.inner.encode_passages(texts)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class IndexCollector:
    """Index size and write lag, read from the index at scrape time (the same for every worker)."""

    def __init__(self, service: Any) -> None:
        self.service = service

    def collect(self) -> Iterator[GaugeMetricFamily]:
        if not self.service.ready:
            return
        documents, passages = self.service.index.counts()
        yield GaugeMetricFamily("qa_documents", "Articles in the index", value=documents)
        yield GaugeMetricFamily("qa_passages", "Passages in the index", value=passages)
        yield GaugeMetricFamily(
            "qa_index_changes_behind",
            "Writes committed by other processes that the answering worker has not applied yet",
            value=self.service.changes_behind(),
        )


def _request_started() -> None:
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    g.metrics_started = time.perf_counter()
    g.request_id_token = REQUEST_ID.set(g.request_id)


def _request_closed(_error: BaseException | None) -> None:
    # A worker thread serves many requests: its later lines must not carry this one's id.
    if "request_id_token" in g:
        REQUEST_ID.reset(g.request_id_token)


def _request_finished(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id", "-")
    if "metrics_started" in g:
        endpoint = request.url_rule.rule if request.url_rule else "unmatched"
        REQUEST_SECONDS.labels(endpoint, request.method, str(response.status_code)).observe(
            time.perf_counter() - g.metrics_started
        )
    return response


def count_answer(endpoint: str, no_answer: bool) -> None:
    ANSWERS.labels(endpoint, "true" if no_answer else "false").inc()


def register_metrics(app: Flask) -> None:
    """Time every request, give it an id, time the encoder and serve /metrics."""
    service = app.extensions["qa"]
    if not isinstance(service.encoder, TimedEncoder):
        service.encoder = TimedEncoder(service.encoder)
    install_request_ids()
    app.before_request(_request_started)
    app.after_request(_request_finished)
    app.teardown_request(_request_closed)
    app.extensions["qa.metrics"] = IndexCollector(service)
    app.register_blueprint(bp)


@bp.get("/metrics")
def metrics():
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY

        registry = REGISTRY
    output = generate_latest(registry)
    output += generate_latest(_Single(current_app.extensions["qa.metrics"]))
    return Response(output, mimetype=CONTENT_TYPE_LATEST)


class _Single(CollectorRegistry):
    """A registry of one collector, so the index gauges are never summed across workers."""

    def __init__(self, collector: IndexCollector) -> None:
        super().__init__(auto_describe=False)
        self._collector = collector

    def collect(self) -> Iterator[Any]:
        yield from self._collector.collect()
