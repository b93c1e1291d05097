// Link each zone to the one larger zone it is part of (rows: id, part_of; a null part_of
// makes a top-level zone). A PART_OF to any other zone is removed. Returns `written`.
// touches: zones
// idempotent: yes
UNWIND $rows AS row
MATCH (z:Zone {id: row.id})
OPTIONAL MATCH (z)-[old:PART_OF]->(other:Zone)
WHERE row.part_of IS NULL OR other.id <> row.part_of
DELETE old
WITH DISTINCT z, row.part_of AS part_of
MATCH (p:Zone {id: part_of})
MERGE (z)-[:PART_OF]->(p)
RETURN count(*) AS written
