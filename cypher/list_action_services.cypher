// The services some actions ($actions) PLAN, whatever their status now (planned, or what
// they became): `action`, `id`, `name`, `capacity`, `status`, `actor`, `type`, `covers`
// (zone ids).
// idempotent: yes
MATCH (x:Action)-[:PLANS]->(s:Service)
WHERE x.id IN $actions
MATCH (a:Actor)-[:PROVIDES]->(s)-[:OF_TYPE]->(t:ServiceType)
RETURN x.id AS action, s.id AS id, s.name AS name, s.capacity AS capacity,
       s.status AS status, a.id AS actor, t.code AS type,
       [(s)-[:COVERS]->(z:Zone) | z.id] AS covers
ORDER BY action, id
