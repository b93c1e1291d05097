// Upsert objectives of action plans by id (rows: id, name, level, zone) and the one zone each
// is for (a FOR_ZONE to another zone is removed). Returns `written`.
// touches: plans
// idempotent: yes
UNWIND $rows AS row
MATCH (z:Zone {id: row.zone})
MERGE (o:Objective {id: row.id})
SET o.name = row.name, o.level = row.level
WITH o, z
OPTIONAL MATCH (o)-[old:FOR_ZONE]->(elsewhere)
WHERE elsewhere <> z
DELETE old
WITH DISTINCT o, z
MERGE (o)-[:FOR_ZONE]->(z)
RETURN count(*) AS written
