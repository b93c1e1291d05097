// Put locations in the finest zone holding their coordinates (rows: id, zone, null when
// outside every zone); the previous LOCATED_IN is removed. Returns `written`.
// touches: sources
// idempotent: yes
UNWIND $rows AS row
MATCH (l:Location {id: row.id})
OPTIONAL MATCH (l)-[old:LOCATED_IN]->(:Zone)
DELETE old
WITH DISTINCT l, row
OPTIONAL MATCH (z:Zone {id: row.zone})
FOREACH (zone IN CASE WHEN z IS NULL THEN [] ELSE [z] END |
  MERGE (l)-[:LOCATED_IN]->(zone))
RETURN count(*) AS written
