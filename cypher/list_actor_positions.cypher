// Actors with coordinates, for placing them in zones: `id`, `lat`, `lon`, `zone` (the zone
// they are LOCATED_IN, or null). $ids: only these actors, or null for all.
MATCH (a:Actor)
WHERE a.lat IS NOT NULL AND a.lon IS NOT NULL AND ($ids IS NULL OR a.id IN $ids)
OPTIONAL MATCH (a)-[:LOCATED_IN]->(z:Zone)
RETURN a.id AS id, a.lat AS lat, a.lon AS lon, min(z.id) AS zone
ORDER BY id
