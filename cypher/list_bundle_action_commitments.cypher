// Every COMMITS_TO for a bundle export: `action`, `actor`, `role`.
// idempotent: yes
MATCH (a:Actor)-[c:COMMITS_TO]->(x:Action)
RETURN x.id AS action, a.id AS actor, c.role AS role
ORDER BY action, actor
