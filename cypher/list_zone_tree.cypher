// Every zone with the zone it is part of: `id`, `parent` (null for a top zone). For patient
// counts, whose suppression is computed over a whole hierarchy at once.
// idempotent: yes
MATCH (z:Zone)
OPTIONAL MATCH (z)-[:PART_OF]->(parent:Zone)
RETURN z.id AS id, parent.id AS parent
ORDER BY id
