// Set the zones (FOR_ZONE) and need types (TARGETS) each action targets (rows: id, zones,
// needs): the lists replace the stored ones. Returns `written` (one per action).
// touches: plans
// idempotent: yes
UNWIND $rows AS row
MATCH (x:Action {id: row.id})
OPTIONAL MATCH (x)-[old:FOR_ZONE]->(z:Zone)
WHERE NOT z.id IN row.zones
DELETE old
WITH DISTINCT x, row
OPTIONAL MATCH (x)-[old:TARGETS]->(n:NeedType)
WHERE NOT n.code IN row.needs
DELETE old
WITH DISTINCT x, row
UNWIND row.zones AS zone_id
MATCH (z:Zone {id: zone_id})
MERGE (x)-[:FOR_ZONE]->(z)
WITH DISTINCT x, row
UNWIND row.needs AS code
MATCH (n:NeedType {code: code})
MERGE (x)-[:TARGETS]->(n)
RETURN count(DISTINCT x) AS written
