"""What operators and bot authors look at besides the answers: /metrics, request ids, /docs, Allow."""

from __future__ import annotations

import logging
import re

QUESTION = "Wer nimmt an dem Treffen nur virtuell teil?"


def _sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample of the Prometheus text `text`."""
    for line in text.splitlines():
        if line.startswith(name + ("{" if labels else " ")) and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"no sample {name} {labels} in /metrics")


def test_metrics_count_requests_answers_and_the_index(client):
    before = client.get("/metrics").get_data(as_text=True)
    answered = (
        _sample(before, "qa_answers_total", endpoint="ask", no_answer="false") if "qa_answers_total{" in before else 0
    )
    client.post("/api/ask", json={"question": QUESTION})
    client.post("/api/ask", json={"question": "Wie backe ich einen Apfelkuchen?"})
    response = client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert _sample(text, "qa_answers_total", endpoint="ask", no_answer="false") == answered + 1
    assert _sample(text, "qa_answers_total", endpoint="ask", no_answer="true") >= 1
    assert _sample(text, "qa_http_request_duration_seconds_count", endpoint="/api/ask", status="200") >= 2
    assert _sample(text, "qa_encoder_seconds_count", kind="query") >= 2
    assert _sample(text, "qa_documents") == 1 and _sample(text, "qa_passages") == 15
    assert _sample(text, "qa_index_changes_behind") == 0


def test_a_request_id_is_kept_or_made_and_names_the_log_lines(client, caplog):
    given = client.post("/api/ask", json={"question": QUESTION}, headers={"X-Request-ID": "bot-42.a"})
    assert given.headers["X-Request-ID"] == "bot-42.a"
    made = client.post("/api/ask", json={"question": QUESTION}, headers={"X-Request-ID": "bad id <script>"})
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["X-Request-ID"])
    with caplog.at_level(logging.DEBUG, logger="qa.web.api"):
        client.post("/api/ask", json={"question": QUESTION}, headers={"X-Request-ID": "trace-7"})
        logging.getLogger("qa.web.api").debug("after the request")
    during = [r for r in caplog.records if r.name == "qa.web.api" and r.getMessage() != "after the request"]
    assert during and all(r.request_id == "trace-7" for r in during)
    assert caplog.records[-1].request_id == "-"


def test_docs_page_is_served_from_the_package(client):
    page = client.get("/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "https://" not in html and "http://" not in html
    scripts = re.findall(r'src="([^"]+)"', html) + re.findall(r'href="([^"]+)"', html)
    assert any("swagger-ui-bundle.js" in s for s in scripts)
    for url in scripts:
        response = client.get(url)
        assert response.status_code == 200 and len(response.get_data()) > 100, url
        response.close()


def test_405_names_the_allowed_methods(client):
    response = client.put("/api/ask", json={"question": QUESTION})
    assert response.status_code == 405 and response.get_json()["code"] == "method_not_allowed"
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"POST"}
    listing = client.patch("/api/documents")
    assert {"GET", "POST"} <= set(listing.headers["Allow"].replace(" ", "").split(","))
