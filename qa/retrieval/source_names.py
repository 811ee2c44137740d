"""A request's source names resolved against the index's own: case and surrounding blanks do not matter,
and a name the index does not hold is reported instead of silently answering nothing.

Why here: the stored names are what a filter compares (qa.storage.facts, exactly), and a bot that writes
"DPA" for an archive of "dpa" got an empty answer without a word. The match is made once, on the way in,
so everything below keeps comparing exact names.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Sequence

from qa.records import Scope


def source_key(name: str) -> str:
    """What two names must share to be the same source: case folded, surrounding blanks dropped."""
    return name.strip().casefold()


class SourceNames:
    """The index's source names by their key, extended as the index learns new ones (its list of names
    only grows, and a new index brings a new list, which starts the map again): a question with a
    source filter costs a lookup, not a pass over thousands of names."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._names: Sequence[str] | None = None
        self._seen = 0
        self._by_key: dict[str, list[str]] = {}

    def learn(self, names: Sequence[str]) -> dict[str, list[str]]:
        """The map for `names`, extended by the names added since the last call (a service calls this in
        its warm-up, so the first filtered question of a large archive does not pay for it)."""
        with self._lock:
            if names is not self._names:
                self._names, self._seen, self._by_key = names, 0, {}
            by_key = self._by_key
            for name in names[self._seen :]:
                key = source_key(name)
                spellings = by_key.get(key)
                if spellings is None:
                    by_key[key] = [name]
                else:
                    spellings.append(name)
            self._seen = len(names)
            return by_key

    def resolve(self, scope: Scope, names: Sequence[str]) -> Scope:
        """`scope` with its sources replaced by the stored names they match (every spelling the index
        holds) and those matching none in `unknown_sources`; an unknown one stays in the filter as given,
        so a filter naming only unknown sources still finds nothing rather than everything."""
        asked = scope.filters.sources
        if not asked:
            return scope
        by_key = self.learn(names)
        resolved: list[str] = []
        unknown: list[str] = []
        for name in asked:
            found = by_key.get(source_key(name))
            resolved.extend(found or [name.strip()])
            if not found:
                unknown.append(name.strip())
        filters = dataclasses.replace(scope.filters, sources=tuple(dict.fromkeys(resolved)))
        return dataclasses.replace(scope, filters=filters, unknown_sources=tuple(dict.fromkeys(unknown)))
