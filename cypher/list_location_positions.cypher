// Locations with coordinates, for placing them in zones: `id`, `lat`, `lon`, `zone` (the
// zone they are LOCATED_IN, or null). $ids: only these locations, or null for all.
// idempotent: yes
MATCH (l:Location)
WHERE l.lat IS NOT NULL AND l.lon IS NOT NULL AND ($ids IS NULL OR l.id IN $ids)
OPTIONAL MATCH (l)-[:LOCATED_IN]->(z:Zone)
RETURN l.id AS id, l.lat AS lat, l.lon AS lon, min(z.id) AS zone
ORDER BY id
