// Set the zones each service covers (rows: service, zones): the list replaces the stored
// one, a COVERS to a zone not in it is removed. Returns `written` (links kept).
UNWIND $rows AS row
MATCH (s:Service {id: row.service})
OPTIONAL MATCH (s)-[old:COVERS]->(other:Zone)
WHERE NOT other.id IN row.zones
DELETE old
WITH DISTINCT s, row.zones AS zones
UNWIND zones AS zone_id
MATCH (z:Zone {id: zone_id})
MERGE (s)-[:COVERS]->(z)
RETURN count(*) AS written
