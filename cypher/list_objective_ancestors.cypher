// The stored parent links above some objectives ($ids): for each objective reached by
// following REFINES upwards from them (themselves included), `id` and `parent` (or null).
// idempotent: yes
MATCH (o:Objective)
WHERE o.id IN $ids
MATCH (o)-[:REFINES*0..]->(up:Objective)
OPTIONAL MATCH (up)-[:REFINES]->(p:Objective)
RETURN DISTINCT up.id AS id, p.id AS parent
ORDER BY id
