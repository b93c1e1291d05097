// Zone $zone with its parts at every depth and the zones it is part of: `id`, `name`, `level`,
// `lat`, `lon`, `parent` (the zone it is directly part of) and `depth` (0 for $zone, 1 for its
// parts, ...; -1 for the zone $zone is part of, -2 above that). No rows: unknown zone.
// idempotent: yes
CALL {
  MATCH p = (z:Zone)-[:PART_OF*0..]->(:Zone {id: $zone})
  RETURN z, length(p) AS depth
  UNION
  MATCH p = (:Zone {id: $zone})-[:PART_OF*1..]->(z:Zone)
  RETURN z, -length(p) AS depth
}
WITH z, depth
OPTIONAL MATCH (z)-[:PART_OF]->(parent:Zone)
RETURN z.id AS id, z.name AS name, z.level AS level, z.lat AS lat, z.lon AS lon,
       parent.id AS parent, depth
ORDER BY depth, id
