"""A question typed in lower case reaches the encoder with the archive's capitals, on each backend."""

from __future__ import annotations

from qa.encoding.encoder import HashEncoder
from qa.records import Document, Section
from qa.service import QAService

ARTICLES = [
    Document(
        id="voltara",
        title="Berlin battery recycler Voltara raises 40 million euros",
        date="2025-11-20",
        source="Tech Ledger",
        sections=(
            Section(
                "", "BERLIN, Nov 20 - Voltara, founded by chemists Lena Brandt and Tomasz Wiśniewski, raised money."
            ),
            Section("", '"We can do this at lower cost and with a fraction of the energy," Brandt said.'),
        ),
    ),
    Document(
        id="werk",
        title="Neues Werk in Schwedt",
        date="2025-11-21",
        source="Oder-Bote",
        sections=(Section("", "Das Werk in Schwedt soll 2027 starten. Die Firma baut das Werk für 180 Beschäftigte."),),
    ),
]


class RecordingEncoder(HashEncoder):
    """The test encoder, remembering the questions it was asked to encode."""

    def __init__(self) -> None:
        super().__init__(64)
        self.asked: list[str] = []

    def encode_queries(self, texts):
        self.asked.extend(texts)
        return super().encode_queries(texts)


def test_a_lower_case_question_is_encoded_as_the_archive_writes_it(hash_settings):
    encoder = RecordingEncoder()
    service = QAService(hash_settings, encoder)
    try:
        service.build_documents(ARTICLES)
        typed = [
            "what did lena brandt say",
            "wann soll das werk in schwedt starten",
            "What did Lena Brandt say?",
            "what did she say (Lena Brandt, voltara)?",  # a chat turn with its topic words
        ]
        # The Searcher, not ask(): the no-answer cut-offs are calibrated for the real encoder, not hash:64.
        retrievals = service.searcher().search_many(typed, 3)
        assert encoder.asked[-4:] == [
            "what did Lena Brandt say",
            "wann soll das Werk in Schwedt starten",
            "What did Lena Brandt say?",  # a question with a capital is left as typed
            "what did she say (Lena Brandt, Voltara)?",  # the turn as typed has none
        ]
        # the answer still shows the question as it was typed
        assert [r.question for r in retrievals] == typed
        assert retrievals[0].hits and retrievals[0].hits[0].document.id == "voltara"
    finally:
        service.close()
