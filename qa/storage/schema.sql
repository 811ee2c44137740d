-- The durable record of an index generation. FAISS ids are passages.id; the FTS5 rowid is passages.id too.
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    date TEXT,
    source TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL,
    -- Where the article is published (http or https), or NULL. Indexes of format 4 built before it get
    -- the column added in place when opened (sqlite.add_missing_columns).
    url TEXT,
    content_hash TEXT NOT NULL,
    added_at TEXT NOT NULL,
    -- 'build': from the files `qa index` read; 'added': through the API or `qa add`, carried over by a rebuild.
    origin TEXT NOT NULL DEFAULT 'build' CHECK (origin IN ('build', 'added'))
);
CREATE INDEX IF NOT EXISTS documents_by_hash ON documents (content_hash);

CREATE TABLE IF NOT EXISTS passages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    heading TEXT NOT NULL,
    text TEXT NOT NULL,
    language TEXT NOT NULL,
    vector BLOB NOT NULL,
    -- the article's paragraph the passage starts in (0: the teaser); added in place to older records
    section INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS passages_by_document ON passages (document_id, position);

CREATE TABLE IF NOT EXISTS sentences (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    passage_id INTEGER NOT NULL REFERENCES passages (id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    -- NULL between the two steps of a small write: its passage vectors are stored first, the sentence
    -- vectors just after (qa/sentence_fill.py); any process that opens the index fills what is left.
    vector BLOB
);
CREATE INDEX IF NOT EXISTS sentences_by_passage ON sentences (passage_id);
CREATE INDEX IF NOT EXISTS sentences_missing ON sentences (passage_id) WHERE vector IS NULL;

-- Stemmed terms per passage (stemmed in the passage's language before insert), ranked with FTS5's bm25().
-- The language is an indexed column, so "only this language" is a doclist intersection, not a read of
-- every matching row (qa/storage/fts.py gives it weight 0 in bm25).
CREATE VIRTUAL TABLE IF NOT EXISTS lexical USING fts5 (
    terms,
    language,
    tokenize = 'unicode61 remove_diacritics 0'
);
-- How many passages hold each term: questions drop the terms most passages hold (fts.py).
CREATE VIRTUAL TABLE IF NOT EXISTS lexical_terms USING fts5vocab (lexical, 'row');

-- Every add and remove of a passage, in commit order: how each serving process catches up with the
-- writes of the others (and with its own snapshot) without re-encoding anything.
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    op TEXT NOT NULL CHECK (op IN ('add', 'remove')),
    passage_id INTEGER NOT NULL
);
