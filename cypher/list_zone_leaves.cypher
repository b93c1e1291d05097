// The finest zones inside a zone (zones without parts; the zone itself when it has none):
// `id`, `name`, `level`, `population`.
// idempotent: yes
MATCH (root:Zone {id: $zone})
MATCH (k:Zone)-[:PART_OF*0..]->(root)
WHERE NOT (k)<-[:PART_OF]-(:Zone)
RETURN k.id AS id, k.name AS name, k.level AS level, k.population AS population
ORDER BY id
