-- Vectors move out of `records` into their own table. Without its embedding (1.5 KB at 384
-- dimensions) a record row is about 100 bytes, so reading documents and metadata (get, query
-- results, filters) touches some 20x fewer pages, and the table fits SQLite's page cache.

CREATE TABLE vectors (
    rid       INTEGER PRIMARY KEY,   -- records.rid
    embedding BLOB NOT NULL          -- little-endian float32
);

INSERT INTO vectors (rid, embedding) SELECT rid, embedding FROM records;

ALTER TABLE records DROP COLUMN embedding;

CREATE TRIGGER records_vector_delete AFTER DELETE ON records BEGIN
    DELETE FROM vectors WHERE rid = old.rid;
END;
