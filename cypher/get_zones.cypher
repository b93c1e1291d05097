// Zones by id, for batched look-ups: `id`, `name`, `level`, `population`, `lat`, `lon`,
// `parent` (id or null). Unknown ids give no row.
// idempotent: yes
UNWIND $ids AS wanted
MATCH (z:Zone {id: wanted})
OPTIONAL MATCH (z)-[:PART_OF]->(p:Zone)
RETURN z.id AS id, z.name AS name, z.level AS level, z.population AS population,
       z.lat AS lat, z.lon AS lon, p.id AS parent
