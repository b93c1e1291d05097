// Zones ordered by id, filtered by level and by the zone they are (directly) part of, one page:
// `id`, `name`, `level`, `population`, `lat`, `lon`, `parent` (id or null).
// idempotent: yes
MATCH (z:Zone)
WHERE ($level IS NULL OR z.level = $level)
OPTIONAL MATCH (z)-[:PART_OF]->(p:Zone)
WITH z, p
WHERE ($parent IS NULL OR p.id = $parent)
RETURN z.id AS id, z.name AS name, z.level AS level, z.population AS population,
       z.lat AS lat, z.lon AS lon, p.id AS parent
ORDER BY id
SKIP $offset LIMIT $limit
