// For each finest zone inside a zone (itself if it has no parts) and each service type: the
// active services of that type covering it (directly or through a larger zone) and their
// providers. Columns: `zone`, `type`, `services` (list of {id, actor, capacity} maps).
// idempotent: yes
MATCH (root:Zone {id: $zone})
MATCH (k:Zone)-[:PART_OF*0..]->(root)
WHERE NOT (k)<-[:PART_OF]-(:Zone)
MATCH (k)-[:PART_OF*0..]->(:Zone)<-[:COVERS]-(s:Service)-[:OF_TYPE]->(t:ServiceType)
WHERE s.status = 'active' AND ($types IS NULL OR t.code IN $types)
MATCH (a:Actor)-[:PROVIDES]->(s)
WITH DISTINCT k, t, s, a
RETURN k.id AS zone, t.code AS type,
       collect({id: s.id, actor: a.id, capacity: s.capacity}) AS services
ORDER BY zone, type
