// Set the zones each service covers (rows: id, covers; other fields of a services row are
// ignored): the list replaces the stored one, a COVERS to a zone not in it is removed.
// Returns `written` (links kept).
// touches: supply(rows.id)
// idempotent: yes
UNWIND $rows AS row
MATCH (s:Service {id: row.id})
OPTIONAL MATCH (s)-[old:COVERS]->(other:Zone)
WHERE NOT other.id IN row.covers
DELETE old
WITH DISTINCT s, row.covers AS zones
UNWIND zones AS zone_id
MATCH (z:Zone {id: zone_id})
MERGE (s)-[:COVERS]->(z)
RETURN count(*) AS written
