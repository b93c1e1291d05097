// Every location for a bundle export: `id`, `actors` (ids of the actors it belongs to),
// `name`, `lat`, `lon`, `address`, `accessibility`, `props` (all its properties).
// idempotent: yes
MATCH (l:Location)
RETURN l.id AS id, [(a:Actor)-[:HAS_LOCATION]->(l) | a.id] AS actors, l.name AS name,
       l.lat AS lat, l.lon AS lon, l.address AS address, l.accessibility AS accessibility,
       properties(l) AS props
ORDER BY id
