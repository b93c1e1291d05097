// One actor with where it is located and the zones above: `id`, `name`, `zone` (LOCATED_IN)
// and `zones`, a list of {id, level, depth} maps (depth 0 is the actor's own zone, 1 the zone
// that one is part of, ...). No rows when actor $id is unknown.
// idempotent: yes
MATCH (a:Actor {id: $id})
OPTIONAL MATCH (a)-[:LOCATED_IN]->(home:Zone)
OPTIONAL MATCH p = (home)-[:PART_OF*0..]->(up:Zone)
WITH a, home, collect({id: up.id, level: up.level, depth: length(p)}) AS zones
RETURN a.id AS id, a.name AS name, home.id AS zone, zones
