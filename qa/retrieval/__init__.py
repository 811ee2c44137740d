"""Question -> ranked passages: dense and BM25 candidates, language-aware fusion, the no-answer decision."""
