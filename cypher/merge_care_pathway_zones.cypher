// Link each care pathway to the zone it is offered in (rows: id, zone; a null zone removes
// the link). A FOR_ZONE to any other zone is removed. Returns `written`.
// touches: network
// idempotent: yes
UNWIND $rows AS row
MATCH (p:CarePathway {id: row.id})
OPTIONAL MATCH (p)-[old:FOR_ZONE]->(other:Zone)
WHERE row.zone IS NULL OR other.id <> row.zone
DELETE old
WITH DISTINCT p, row.zone AS zone_id
MATCH (z:Zone {id: zone_id})
MERGE (p)-[:FOR_ZONE]->(z)
RETURN count(*) AS written
