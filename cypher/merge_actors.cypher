// Upsert actors by id and the one zone each is located in (a LOCATED_IN to another zone is
// removed). Returns `written`.
// touches: actors
// idempotent: yes
UNWIND $rows AS row
MATCH (z:Zone {id: row.zone})
MERGE (a:Actor {id: row.id})
SET a.name = row.name, a.kind = row.kind, a.line = row.line, a.discipline = row.discipline,
    a.languages = row.languages, a.lat = row.lat, a.lon = row.lon
WITH a, z
OPTIONAL MATCH (a)-[old:LOCATED_IN]->(elsewhere)
WHERE elsewhere <> z
DELETE old
WITH DISTINCT a, z
MERGE (a)-[:LOCATED_IN]->(z)
RETURN count(*) AS written
