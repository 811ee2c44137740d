"""The IVF base written list by list from disk is the index FAISS itself would write, and memory stays bounded."""

from __future__ import annotations

import numpy as np
import pytest

from qa.storage import ivf_build

faiss = pytest.importorskip("faiss")


def _trained(vectors: np.ndarray, lists: int):
    quantizer = faiss.IndexFlatIP(vectors.shape[1])
    index = faiss.IndexIVFScalarQuantizer(
        quantizer, vectors.shape[1], lists, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
    )
    index.cp.min_points_per_centroid = 1
    index.train(vectors)
    return index


def _unit(rows: int, dim: int, seed: int) -> np.ndarray:
    vectors = np.random.default_rng(seed).standard_normal((rows, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _chunks(ids: np.ndarray, vectors: np.ndarray, size: int):
    for start in range(0, ids.size, size):
        yield ids[start : start + size], vectors[start : start + size]


@pytest.mark.parametrize(("rows", "lists", "chunk"), [(3_000, 24, 700), (5, 40, 2)])
def test_the_written_file_is_what_faiss_writes_for_the_index_filled_in_memory(tmp_path, rows, lists, chunk):
    """Most lists filled ("full" sizes) and most lists empty ("sprs" pairs), over several chunks."""
    vectors = _unit(rows, 32, seed=rows)
    ids = np.arange(rows, dtype=np.int64) * 7 + 3
    training = _unit(600, 32, seed=1)
    in_memory = _trained(training, lists)
    streamed = faiss.clone_index(in_memory)
    in_memory.add_with_ids(vectors, ids)
    expected = faiss.serialize_index(in_memory).tobytes()

    path = tmp_path / "base.faiss"
    assert ivf_build.write_filled(streamed, _chunks(ids, vectors, chunk), path) == rows
    assert path.read_bytes() == expected
    assert not list(tmp_path.glob("*.codes")), "the scratch file of codes is removed"

    opened = faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC | faiss.IO_FLAG_READ_ONLY)
    opened.nprobe = in_memory.nprobe = lists
    queries = _unit(10, 32, seed=99)
    assert np.array_equal(opened.search(queries, 5)[1], in_memory.search(queries, 5)[1])


def test_the_training_sample_is_capped_and_spread_over_the_ids(tmp_path, monkeypatch):
    from qa.storage import sqlite

    conn = sqlite.connect(tmp_path / "qa.sqlite")
    sqlite.init_schema(conn)
    dim = 8
    vectors = _unit(1_000, dim, seed=5)
    conn.execute(
        "INSERT INTO documents (id, title, language, content_hash, added_at) VALUES ('d', 't', 'de', 'h', 'now')"
    )
    conn.executemany(
        "INSERT INTO passages (id, document_id, position, heading, text, language, vector)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(i + 1, "d", i, "", "t", "de", vectors[i].astype(np.float16).tobytes()) for i in range(1_000)],
    )
    monkeypatch.setattr(ivf_build, "TRAIN_MAX", 100)
    sample = ivf_build.training_sample(conn, dim, "de", 1_000, wanted=300)
    assert sample.shape[0] == 100  # the ids 10, 20, ..., 1000
    assert sample.shape[1] == dim and sample.dtype == np.float32
    # every 10th id: the sample's rows are those passages' vectors, from the first to the last
    np.testing.assert_allclose(sample[0], vectors[9].astype(np.float16).astype(np.float32), atol=1e-6)
    np.testing.assert_allclose(sample[-1], vectors[999].astype(np.float16).astype(np.float32), atol=1e-6)
    conn.close()
