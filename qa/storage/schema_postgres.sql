-- The record of one generation in PostgreSQL, in the generation's own schema (the search_path).
-- The same tables and columns as schema.sql, so the SQL of qa/storage/record.py serves both; the
-- lexical index is kept in plain tables by the writer (qa/storage/postgres.py) instead of FTS5.
CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    date TEXT,
    source TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL,
    url TEXT,
    content_hash TEXT NOT NULL,
    added_at TEXT NOT NULL,
    origin TEXT NOT NULL DEFAULT 'build' CHECK (origin IN ('build', 'added'))
);
CREATE INDEX documents_by_hash ON documents (content_hash);

CREATE TABLE passages (
    id BIGSERIAL PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    heading TEXT NOT NULL,
    text TEXT NOT NULL,
    language TEXT NOT NULL,
    vector BYTEA NOT NULL,  -- float16, as in SQLite
    section INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX passages_by_document ON passages (document_id, position);

CREATE TABLE sentences (
    id BIGSERIAL PRIMARY KEY,
    passage_id BIGINT NOT NULL REFERENCES passages (id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    vector BYTEA
);
CREATE INDEX sentences_by_passage ON sentences (passage_id);
CREATE INDEX sentences_missing ON sentences (passage_id) WHERE vector IS NULL;

-- What FTS5 keeps for bm25(): per passage its number of terms and its language (a row of FTS5's
-- table), per term how often each passage holds it, per term how many passages hold it, and per
-- language the passages and terms, whence the average length. The writer keeps all four in the
-- passage's own transaction.
CREATE TABLE lexical_passages (
    passage_id BIGINT PRIMARY KEY,
    length INTEGER NOT NULL,
    language TEXT NOT NULL
);
CREATE TABLE lexical_postings (
    term TEXT COLLATE "C" NOT NULL,
    passage_id BIGINT NOT NULL,
    tf INTEGER NOT NULL,
    length INTEGER NOT NULL,  -- the passage's, beside each posting: a ranked read needs no join
    language TEXT NOT NULL,
    -- with the columns a ranked read needs, so that it reads the index only
    PRIMARY KEY (term, passage_id) INCLUDE (tf, length, language)
);
CREATE INDEX lexical_postings_by_passage ON lexical_postings (passage_id);
CREATE TABLE lexical_terms (
    term TEXT COLLATE "C" PRIMARY KEY,
    doc BIGINT NOT NULL
);
CREATE TABLE lexical_languages (
    language TEXT PRIMARY KEY,
    passages BIGINT NOT NULL,
    terms BIGINT NOT NULL
);

-- Every add and remove of a passage, in commit order: writers hold the record's advisory lock for
-- their whole transaction, so a sequence number is never committed after a higher one.
CREATE TABLE changes (
    seq BIGSERIAL PRIMARY KEY,
    op TEXT NOT NULL CHECK (op IN ('add', 'remove')),
    passage_id BIGINT NOT NULL
);
