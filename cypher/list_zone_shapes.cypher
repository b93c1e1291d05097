// Every zone with a polygon, for the spatial index: `id`, `level`, `parent` (id or null),
// `geometry` (GeoJSON text).
MATCH (z:Zone)
WHERE z.geometry IS NOT NULL
OPTIONAL MATCH (z)-[:PART_OF]->(p:Zone)
RETURN z.id AS id, z.level AS level, p.id AS parent, z.geometry AS geometry
ORDER BY id
