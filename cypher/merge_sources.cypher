// Upsert sources by id (rows: id, kind, name, digest, imported_at, licence). `imported_at`
// changes only with the digest: importing the same file again leaves the graph as it was.
// Returns `written`.
UNWIND $rows AS row
MERGE (s:Source {id: row.id})
WITH s, row, s.digest IS NULL OR s.digest <> row.digest AS changed
SET s.kind = row.kind, s.name = row.name, s.licence = row.licence,
    s.imported_at = CASE WHEN changed THEN row.imported_at ELSE s.imported_at END,
    s.digest = row.digest
RETURN count(*) AS written
