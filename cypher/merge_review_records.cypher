// Upsert source records queued for review (rows: key, source, kind, table, source_id,
// canonical, how, score, values): RECORD_OF their Source, no DESCRIBES (nothing written
// from them yet); `canonical` names the candidate. Returns `written`.
UNWIND $rows AS row
MATCH (src:Source {id: row.source})
MERGE (r:SourceRecord {key: row.key})
SET r.source = row.source, r.kind = row.kind, r.table = row.table, r.source_id = row.source_id,
    r.canonical = row.canonical, r.how = row.how, r.score = row.score, r.values = row.values,
    r.gone = false
WITH r, src
OPTIONAL MATCH (r)-[old:DESCRIBES]->()
DELETE old
WITH DISTINCT r, src
MERGE (r)-[:RECORD_OF]->(src)
RETURN count(*) AS written
