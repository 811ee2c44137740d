"""Shared artifacts (`QA_ARTIFACTS`): the files of a generation that every replica needs, in one place.

Why: with the record in PostgreSQL, a replica on a new machine would otherwise need a copy of an index
directory made by hand, or would have to read every vector from the record. A build publishes its
generation here (the manifest, the IVF bases, the first dense snapshot and the passages' facts); every
replica publishes the dense snapshots it writes later. A replica starting with an empty index directory
fetches the newest generation and its newest snapshot, then applies the change log after that snapshot,
exactly as after a restart. A replica also notices here when another machine built a new generation.

The layout is an index directory's own, without the record: `<artifacts>/current` points at
`gen-<time>/`, whose snapshots are named by the change number they hold (`vectors-<seq>.*`,
`facts-<seq>.npz`). A file is copied under a private name and renamed, so a reader finds a whole file
or none; published files never change. A directory today; an object store would keep the same names.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import threading
from pathlib import Path

from qa.config import Settings
from qa.errors import IndexNotWritable
from qa.storage.manifest import CURRENT, fsync_dir, generation_dir, swap_in
from qa.storage.manifest import check_index as check_generation

logger = logging.getLogger(__name__)

_GENERATION = re.compile(r"^gen-\d{8}T\d+$")
_SNAPSHOT = re.compile(r"^(vectors|facts)-(\d+)\.(faiss|npz)$")
# Snapshots kept per generation in the artifacts (as in an index directory: the newest and one more,
# which a replica that is just copying the newest may still be reading).
KEEP_SNAPSHOTS = 2


def _published(name: str) -> bool:
    """Whether a generation's file belongs in the artifacts: not the SQLite record, nothing half-written."""
    return not name.startswith(".") and not name.startswith("qa.sqlite") and not name.endswith(".tmp")


def _copy(source: Path, target: Path) -> None:
    """Copy under a private name, flush, rename: a reader of `target` never sees part of it."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    shutil.copyfile(source, tmp)
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, target)


def _snapshot_seq(name: str) -> int | None:
    match = _SNAPSHOT.match(name)
    return int(match.group(2)) if match else None


def _stale(names: list[str]) -> set[str]:
    """The snapshot files among `names` older than the newest KEEP_SNAPSHOTS snapshots."""
    seqs = sorted({seq for name in names if (seq := _snapshot_seq(name)) is not None})
    return {name for name in names if (seq := _snapshot_seq(name)) is not None and seq not in seqs[-KEEP_SNAPSHOTS:]}


def _copy_missing(source: Path, target: Path) -> int:
    """Copy the files of `source` that `target` lacks, the manifest last (its presence means the rest is
    there); snapshots older than the newest KEEP_SNAPSHOTS of `source` are left out. Returns how many."""
    names = sorted(name for name in os.listdir(source) if _published(name))
    stale = _stale(names)
    wanted = [name for name in names if name not in stale]
    # A snapshot's facts before its vectors (a replica takes a snapshot only with its facts), the manifest last.
    wanted.sort(key=lambda n: (n == "manifest.json", n.startswith("vectors-")))
    copied = 0
    for name in wanted:
        if not (target / name).exists():
            try:
                _copy(source / name, target / name)
            except FileNotFoundError:
                continue  # a snapshot pruned meanwhile: a newer one is there
            copied += 1
    if copied:
        fsync_dir(target)
    return copied


def _prune(directory: Path) -> None:
    """Drop all but the newest KEEP_SNAPSHOTS snapshots of a generation in the artifacts."""
    for name in _stale(os.listdir(directory)):
        (directory / name).unlink(missing_ok=True)


def current_name(artifacts: Path) -> str | None:
    """The name of the artifacts' current generation, or None when nothing was published (or the location
    cannot be read just now: the replica goes on with what it has)."""
    try:
        name = os.readlink(artifacts / CURRENT)
    except OSError:
        return None
    return name if _GENERATION.match(name) else None


def publish_generation(artifacts: Path, directory: Path, name: str) -> None:
    """Publish a finished generation (`directory`, to be swapped in as `name`) and make it the artifacts'
    current one unless a newer build has already published its own (names sort by build time). A build
    calls it before its own swap: a generation other machines cannot get is not swapped in here either."""
    try:
        artifacts.mkdir(parents=True, exist_ok=True)
        target = artifacts / name
        target.mkdir(exist_ok=True)
        _copy_missing(directory, target)
        current = current_name(artifacts)
        if current is None or current < name:
            swap_in(artifacts, target)
    except OSError as error:
        reason = f"{error.strerror or error}" + (f": {error.filename}" if error.filename else "")
        raise IndexNotWritable(
            f"the new index cannot be published to QA_ARTIFACTS {artifacts} ({reason}); the current one stays"
        ) from None
    logger.info("published generation %s to %s", name, artifacts)


def publish_snapshot(artifacts: Path, directory: Path) -> None:
    """Publish the snapshots of a generation that the artifacts lack, when they still hold it (a snapshot
    of a generation that a newer build has replaced and dropped is of no use to a new replica)."""
    target = artifacts / directory.name
    if not (target / "manifest.json").is_file():
        return
    if _copy_missing(directory, target):
        _prune(target)


def fetch(artifacts: Path, index_dir: Path) -> Path | None:
    """Bring the artifacts' current generation into `index_dir` and make it current there: the files the
    local copy lacks (a new generation, or a snapshot newer than the local ones). Returns the local
    current generation (unchanged when nothing was published). Safe with several processes fetching at
    once: files are renamed into place, a generation directory is complete before its manifest is."""
    name = current_name(artifacts)
    if name is None:
        return generation_dir(index_dir)
    source = artifacts / name
    index_dir.mkdir(parents=True, exist_ok=True)
    target = index_dir / name
    target.mkdir(exist_ok=True)
    try:
        copied = _copy_missing(source, target)
    except FileNotFoundError:
        return generation_dir(index_dir)  # replaced by a newer build meanwhile: the next call takes that
    local = generation_dir(index_dir)
    if (target / "manifest.json").is_file() and (local is None or local.name < name):
        swap_in(index_dir, target)
        logger.info("fetched generation %s from %s (%d files)", name, artifacts, copied)
        return target
    return local


def newer_published(artifacts: Path, directory: Path) -> bool:
    """Whether the artifacts name a newer generation than `directory` (a build on another machine)."""
    name = current_name(artifacts)
    return name is not None and name > directory.name


class Locator:
    """Which generation to serve: the index directory's current one, brought up to the artifacts' when
    `QA_ARTIFACTS` is set. One read of a symbolic link per call. With nothing to serve yet the copy is
    waited for; a new generation built elsewhere is copied in the background while the current one
    goes on answering (at a million passages its files are over a gigabyte), and served once it is in."""

    def __init__(self, index_dir: str | Path, artifacts: str | Path = "") -> None:
        self.index_dir = Path(index_dir)
        self.artifacts = Path(artifacts) if artifacts else None
        self._lock = threading.Lock()
        self._fetched: str | None = None
        self._fetching: threading.Thread | None = None

    def current(self) -> Path | None:
        local = generation_dir(self.index_dir)
        if self.artifacts is None:
            return local
        name = current_name(self.artifacts)
        if name is None or name == self._fetched:
            return local
        with self._lock:
            if name == self._fetched or (self._fetching is not None and self._fetching.is_alive()):
                return local
            if local is None or self._fetched is None:  # nothing to serve yet, or the first look at start
                self._fetch(self.artifacts, name)
                return generation_dir(self.index_dir)
            self._fetching = threading.Thread(
                target=self._fetch, args=(self.artifacts, name), name="qa-fetch-generation", daemon=True
            )
            self._fetching.start()
        return local

    def _fetch(self, artifacts: Path, name: str) -> None:
        try:
            fetch(artifacts, self.index_dir)
            self._fetched = name
        except OSError as error:  # the next call tries again; until then the current generation serves
            logger.warning("could not fetch generation %s from %s: %s", name, artifacts, error)


def index_exists(settings: Settings) -> bool:
    """Whether there is an index to serve: in the index directory, or published to the artifacts."""
    return Locator(settings.index_dir, settings.artifacts).current() is not None


def check_index(settings: Settings) -> None:
    """Raise the one-sentence reason the index of `settings` cannot be served: cheap, before any worker starts."""
    encoder = None if settings.encoder.startswith("st:") else settings.encoder
    check_generation(settings.index_dir, encoder, settings.database_url, settings.read_database_url)
