"""The durable record (SQLite + FTS5) and its cache (the FAISS dense index), in atomically swapped generations."""
