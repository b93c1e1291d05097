// Create actors, each located in its zone (rows as merge_actors): a bulk load into a graph
// without actors. The uniqueness constraint on Actor.id refuses the whole batch if one of its
// actors exists (the load then merges it with merge_actors). Returns `written`.
// touches: actors
// idempotent: no
UNWIND $rows AS row
MATCH (z:Zone {id: row.zone})
CREATE (a:Actor {id: row.id, name: row.name, kind: row.kind, line: row.line,
                 discipline: row.discipline, languages: row.languages, lat: row.lat,
                 lon: row.lon})-[:LOCATED_IN]->(z)
RETURN count(*) AS written
