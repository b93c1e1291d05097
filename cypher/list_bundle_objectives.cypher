// Every objective for a bundle export: `id`, `name`, `level`, `zones` (FOR_ZONE ids),
// `parents` (REFINES ids).
// idempotent: yes
MATCH (o:Objective)
RETURN o.id AS id, o.name AS name, o.level AS level,
       [(o)-[:FOR_ZONE]->(z:Zone) | z.id] AS zones,
       [(o)-[:REFINES]->(p:Objective) | p.id] AS parents
ORDER BY id
