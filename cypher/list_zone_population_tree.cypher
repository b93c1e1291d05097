// Every zone inside a zone (itself included) with its parent and population: `id`,
// `parent` (null for the zone asked for), `population`.
// idempotent: yes
MATCH (root:Zone {id: $zone})
MATCH (k:Zone)-[:PART_OF*0..]->(root)
OPTIONAL MATCH (k)-[:PART_OF]->(p:Zone)
RETURN k.id AS id, CASE WHEN k.id = $zone THEN null ELSE p.id END AS parent,
       k.population AS population
ORDER BY id
