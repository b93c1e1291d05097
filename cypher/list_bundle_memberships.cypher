// Every MEMBER_OF for a bundle export: `actor`, `network`, `role`.
// idempotent: yes
MATCH (a:Actor)-[m:MEMBER_OF]->(n:Network)
RETURN a.id AS actor, n.id AS network, m.role AS role
ORDER BY actor, network
