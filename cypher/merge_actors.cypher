// Upsert actors by id and the zone each is located in. Returns `written`.
UNWIND $rows AS row
MATCH (z:Zone {id: row.zone})
MERGE (a:Actor {id: row.id})
SET a.name = row.name, a.kind = row.kind, a.line = row.line, a.discipline = row.discipline,
    a.languages = row.languages, a.lat = row.lat, a.lon = row.lon
MERGE (a)-[:LOCATED_IN]->(z)
RETURN count(*) AS written
