// Every zone for a bundle export: `id`, `name`, `level`, `population`, `lat`, `lon`,
// `part_of` (the larger zone's id or null).
// idempotent: yes
MATCH (z:Zone)
OPTIONAL MATCH (z)-[:PART_OF]->(p:Zone)
WITH z, min(p.id) AS part_of
RETURN z.id AS id, z.name AS name, z.level AS level, z.population AS population,
       z.lat AS lat, z.lon AS lon, part_of
ORDER BY id
