"""Source names of a request matched to the index's own (qa.retrieval.source_names)."""

from __future__ import annotations

import pytest

from qa.records import Filters, Scope
from qa.retrieval.source_names import SourceNames


def _scope(*sources: str) -> Scope:
    return Scope(filters=Filters(sources=sources))


@pytest.mark.parametrize(
    ("asked", "sources", "unknown"),
    [
        (("DPA",), ("dpa",), ()),
        ((" dpa ",), ("dpa",), ()),
        (("Reuters",), ("Reuters", "reuters"), ()),  # every spelling the index holds
        (("afp",), ("afp",), ("afp",)),  # unknown: kept, so the filter still finds nothing
        (("dpa", "AFP ", "DPA"), ("dpa", "AFP"), ("AFP",)),
        ((), (), ()),
    ],
)
def test_names_resolve_case_insensitively_and_unknown_ones_are_reported(asked, sources, unknown):
    resolved = SourceNames().resolve(_scope(*asked), ["dpa", "Reuters", "reuters", "zoo.txt"])
    assert resolved.filters.sources == sources
    assert resolved.unknown_sources == unknown
    assert resolved.to_dict()["unknown_sources"] == list(unknown)


def test_names_the_index_learns_later_are_found_and_a_new_index_starts_again():
    names = ["dpa"]
    known = SourceNames()
    assert known.resolve(_scope("AFP"), names).unknown_sources == ("AFP",)
    names.append("afp")  # the index's list grows as articles of a new source arrive
    assert known.resolve(_scope("AFP"), names).filters.sources == ("afp",)
    assert known.resolve(_scope("AFP"), ["dpa"]).unknown_sources == ("AFP",)
