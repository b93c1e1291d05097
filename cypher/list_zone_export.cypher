// Zones for a GeoJSON export, optionally of one level ($level or null): `id`, `name`,
// `level`, `population`, `estimated` (how the population was estimated, or null), `parent`,
// `aliases`, `geometry` (GeoJSON text or null).
MATCH (z:Zone)
WHERE $level IS NULL OR z.level = $level
OPTIONAL MATCH (z)-[:PART_OF]->(p:Zone)
RETURN z.id AS id, z.name AS name, z.level AS level, z.population AS population,
       z.population_estimated AS estimated, min(p.id) AS parent, z.aliases AS aliases,
       z.geometry AS geometry, z.lat AS lat, z.lon AS lon
ORDER BY id
