-- The first schema: tenants, databases, collections, records, their filterable metadata,
-- a trigram full-text index over documents, and the per-collection change log.

CREATE TABLE tenants (
    name TEXT PRIMARY KEY
);

CREATE TABLE databases (
    id     TEXT PRIMARY KEY,
    name   TEXT NOT NULL,
    tenant TEXT NOT NULL,
    UNIQUE (tenant, name)
);

CREATE TABLE collections (
    pk            INTEGER PRIMARY KEY AUTOINCREMENT,
    id            TEXT NOT NULL UNIQUE,           -- the public UUID
    name          TEXT NOT NULL,
    database_id   TEXT NOT NULL,
    dimension     INTEGER,                        -- fixed by the first add, kept after deletes
    configuration TEXT NOT NULL,                  -- JSON: configuration_json as Chroma returns it
    metadata      TEXT,                           -- JSON object or NULL
    schema        TEXT,                           -- JSON or NULL, stored and echoed
    log_seq       INTEGER NOT NULL DEFAULT 0,     -- bumped by every committed write batch
    UNIQUE (database_id, name)
);

-- One row per record. rid is never reused (AUTOINCREMENT), so caches keyed by rid stay valid.
CREATE TABLE records (
    rid        INTEGER PRIMARY KEY AUTOINCREMENT,
    collection INTEGER NOT NULL,                  -- collections.pk
    id         TEXT NOT NULL,
    embedding  BLOB NOT NULL,                     -- little-endian float32
    document   TEXT,
    uri        TEXT,
    metadata   TEXT,                              -- JSON object or NULL, returned as stored
    seq        INTEGER NOT NULL,                  -- collections.log_seq of the batch that last wrote it
    UNIQUE (collection, id)
);
CREATE INDEX records_by_seq ON records (collection, seq);

-- Filterable copy of each record's metadata. kind: 0 str, 1 number (int or float), 2 bool (0/1),
-- 3/4/5 the same for elements of list values. `value` has no type affinity, so integers and
-- reals compare numerically and text never equals a number, as Chroma's filters require.
CREATE TABLE record_metadata (
    collection INTEGER NOT NULL,
    rid        INTEGER NOT NULL,
    key        TEXT NOT NULL,
    kind       INTEGER NOT NULL,
    value
);
CREATE INDEX record_metadata_lookup ON record_metadata (collection, key, kind, value, rid);
CREATE INDEX record_metadata_by_record ON record_metadata (rid);

-- Deleted records, so that another process's caches can catch up without a full reload.
CREATE TABLE tombstones (
    collection INTEGER NOT NULL,
    rid        INTEGER NOT NULL,
    seq        INTEGER NOT NULL
);
CREATE INDEX tombstones_by_seq ON tombstones (collection, seq);

-- Case-sensitive trigram index over documents: substring filters without scanning every row.
CREATE VIRTUAL TABLE records_fts USING fts5 (
    document, content = 'records', content_rowid = 'rid', tokenize = 'trigram case_sensitive 1'
);

CREATE TRIGGER records_fts_insert AFTER INSERT ON records WHEN new.document IS NOT NULL BEGIN
    INSERT INTO records_fts (rowid, document) VALUES (new.rid, new.document);
END;

CREATE TRIGGER records_fts_delete AFTER DELETE ON records WHEN old.document IS NOT NULL BEGIN
    INSERT INTO records_fts (records_fts, rowid, document) VALUES ('delete', old.rid, old.document);
END;

CREATE TRIGGER records_fts_update AFTER UPDATE OF document ON records BEGIN
    INSERT INTO records_fts (records_fts, rowid, document)
        SELECT 'delete', old.rid, old.document WHERE old.document IS NOT NULL;
    INSERT INTO records_fts (rowid, document)
        SELECT new.rid, new.document WHERE new.document IS NOT NULL;
END;

INSERT INTO tenants (name) VALUES ('default_tenant');
INSERT INTO databases (id, name, tenant)
    VALUES ('00000000-0000-0000-0000-000000000000', 'default_database', 'default_tenant');
