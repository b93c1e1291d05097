// Upsert the source records of actors (rows: key, source, kind, table, source_id,
// canonical, how, score, values) with RECORD_OF to their Source and DESCRIBES to the actor
// they became (or, for a pair queued for review, its candidate). Returns `written`.
UNWIND $rows AS row
MATCH (src:Source {id: row.source}), (n:Actor {id: row.canonical})
MERGE (r:SourceRecord {key: row.key})
SET r.source = row.source, r.kind = row.kind, r.table = row.table, r.source_id = row.source_id,
    r.canonical = row.canonical, r.how = row.how, r.score = row.score, r.values = row.values,
    r.gone = false
WITH r, src, n
OPTIONAL MATCH (r)-[old:DESCRIBES]->(other)
WHERE other <> n
DELETE old
WITH DISTINCT r, src, n
MERGE (r)-[:RECORD_OF]->(src)
MERGE (r)-[:DESCRIBES]->(n)
RETURN count(*) AS written
