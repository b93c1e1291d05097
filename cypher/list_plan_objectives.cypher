// The objectives of the action plan of a zone: those for the zone or a zone inside it.
// Columns: `id`, `name`, `level`, `zone` (FOR_ZONE id), `parent` (the objective it REFINES,
// or null).
// idempotent: yes
MATCH (root:Zone {id: $zone})
MATCH (z:Zone)-[:PART_OF*0..]->(root)
MATCH (o:Objective)-[:FOR_ZONE]->(z)
OPTIONAL MATCH (o)-[:REFINES]->(p:Objective)
RETURN o.id AS id, o.name AS name, o.level AS level, z.id AS zone, p.id AS parent
ORDER BY id
