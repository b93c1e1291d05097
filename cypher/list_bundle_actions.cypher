// Every action for a bundle export: `id`, `name`, `objectives` (SERVES ids), `status`,
// `start_date`, `end_date`, `zones` (FOR_ZONE ids), `needs` (TARGETS codes).
// idempotent: yes
MATCH (x:Action)
RETURN x.id AS id, x.name AS name, [(x)-[:SERVES]->(o:Objective) | o.id] AS objectives,
       x.status AS status, x.start_date AS start_date, x.end_date AS end_date,
       [(x)-[:FOR_ZONE]->(z:Zone) | z.id] AS zones,
       [(x)-[:TARGETS]->(n:NeedType) | n.code] AS needs
ORDER BY id
