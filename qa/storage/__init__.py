"""The durable record (SQLite, or PostgreSQL for several machines) and its cache (the FAISS dense index),
in atomically swapped generations."""
