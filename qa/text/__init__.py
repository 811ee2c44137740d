"""Article text -> Document, passages and sentence spans, language, lexical terms (no model, no storage)."""
