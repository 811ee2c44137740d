"""Index generations on disk: the manifest and its format, the `current` symlink and its atomic swap,
and the check that a generation can be served."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from qa.errors import IndexMismatch, IndexNotReady
from qa.storage.database import Record, open_record

CURRENT = "current"
# 2: documents.origin, so a rebuild carries run-time documents over; 3: nullable sentence vectors;
# 4: the dense index kind in the manifest, float16 sentence vectors, an indexed language column;
# 5: a passage after the teaser is encoded and indexed with its article's title (Passage.embedding_text);
# 6: so are its sentences, with its subheading (records.sentence_in_context).
FORMAT_VERSION = 6
# Formats a rebuild still copies run-time documents from.
CARRY_FORMATS = (2, 3, 4, 5, 6)


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


# `current`'s path and what it read -> the generation's resolved path (`generation_dir`).
_RESOLVED: dict[tuple[str, str], Path] = {}


def generation_dir(index_dir: str | Path) -> Path | None:
    """The generation `current` points at, or None when nothing was built yet.

    A question asks three times (a swap by another process must be seen at once): one readlink, and the
    path resolved once per generation (`Path.resolve` checks every component of the path: 0.09 ms)."""
    link = Path(index_dir) / CURRENT
    try:
        key = (os.path.abspath(link), os.readlink(link))
    except FileNotFoundError:
        return None
    except OSError:  # not a symbolic link (a directory someone put there)
        key = (os.path.abspath(link), "")
    target = _RESOLVED.get(key)
    if target is None:
        target = link.resolve()
        if len(_RESOLVED) > 64:
            _RESOLVED.clear()
        _RESOLVED[key] = target
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


def check_index(
    index_dir: str | Path, encoder: str | None = None, database_url: str = "", read_url: str = ""
) -> tuple[Path, Manifest, Record]:
    """The current generation's directory, manifest and record, or the one-sentence reason it cannot be
    served (none yet, another format or encoder, a broken record). Loads neither FAISS nor the encoder."""
    directory = generation_dir(index_dir)
    if directory is None:
        raise IndexNotReady(f"no index in {index_dir}: build one with `qa index`")
    manifest = Manifest.load(directory)
    if manifest.format_version != FORMAT_VERSION:
        raise IndexMismatch(
            f"the index in {index_dir} has format {manifest.format_version}, this version reads "
            f"{FORMAT_VERSION}: rebuild it with `qa index`"
        )
    if encoder is not None and manifest.encoder != encoder:
        raise IndexMismatch(
            f"the index in {index_dir} was built with encoder {manifest.encoder!r}, not {encoder!r}: "
            f"rebuild it with `qa index --encoder {encoder}` or use QA_ENCODER={manifest.encoder}"
        )
    stored = open_record(directory, database_url, read_url)
    if stored.kind != manifest.record:
        raise IndexMismatch(
            f"the index in {index_dir} keeps its record in {manifest.record}, not {stored.kind}: "
            + ("set QA_DATABASE_URL to its database" if manifest.record == "postgresql" else "unset QA_DATABASE_URL")
            + " or rebuild it with `qa index`"
        )
    stored.check(manifest.dim)
    return directory, manifest, stored
