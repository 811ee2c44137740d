"""Index generations on disk: the manifest, the `current` symlink and its atomic swap."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from qa.errors import IndexMismatch

CURRENT = "current"


@dataclass(frozen=True, slots=True)
class Manifest:
    format_version: int
    encoder: str
    dim: int
    dtype: str
    documents: int
    passages: int
    created: str
    # The dense index the build chose (qa.storage.partitioned): "flat" (exact) or "ivf-sq8" with its
    # partitions, how many a question probes, and the change and largest passage id its base holds.
    dense: str = "flat"
    dense_lists: int = 0
    dense_probe: int = 0
    dense_base_seq: int = 0
    dense_base_max_id: int = 0
    # Where the record lives: "sqlite" (qa.sqlite beside this file) or "postgresql" (QA_DATABASE_URL).
    record: str = "sqlite"

    def to_dict(self) -> dict:
        return asdict(self)

    def save(self, directory: Path) -> None:
        tmp = directory / ".manifest.json.tmp"
        tmp.write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, directory / "manifest.json")

    @classmethod
    def load(cls, directory: Path) -> Manifest:
        path = directory / "manifest.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            defaults = {
                "dense": "flat",
                "dense_lists": 0,
                "dense_probe": 0,
                "dense_base_seq": 0,
                "dense_base_max_id": 0,
                "record": "sqlite",
            }
            values: dict = {name: data[name] if name in data else defaults[name] for name in cls.__dataclass_fields__}
            return cls(**values)
        except (OSError, ValueError, KeyError, TypeError):
            raise IndexMismatch(f"{path} is missing or damaged: rebuild the index with `qa index`") from None


def generation_dir(index_dir: str | Path) -> Path | None:
    """The generation `current` points at, or None when nothing was built yet."""
    link = Path(index_dir) / CURRENT
    if not link.is_symlink() and not link.exists():
        return None
    target = link.resolve()
    if not target.is_dir():
        raise IndexMismatch(f"{link} points at nothing: rebuild the index with `qa index`")
    return target


def swap_in(index_dir: Path, generation: Path) -> None:
    """Point `current` at `generation` atomically, then drop generations older than the previous one."""
    tmp = index_dir / f".{CURRENT}.{os.getpid()}.tmp"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.symlink(generation.name, tmp)
    previous = generation_dir(index_dir)
    os.replace(tmp, index_dir / CURRENT)
    fsync_dir(index_dir)
    keep = {generation.name, previous.name if previous else ""}
    for old in index_dir.glob("gen-*"):
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)


def fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def new_generation(index_dir: Path) -> Path:
    index_dir.mkdir(parents=True, exist_ok=True)
    for stale in index_dir.glob(".building-*"):
        pid = stale.name.rsplit("-", 1)[-1]
        if not pid.isdigit() or not Path(f"/proc/{pid}").exists():
            shutil.rmtree(stale, ignore_errors=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    path = index_dir / f".building-{stamp}-{os.getpid()}"
    path.mkdir()
    return path
