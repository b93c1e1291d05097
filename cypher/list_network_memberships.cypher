// The networks (consortia, teams, care pathways) each actor in $ids is a member of:
// `actor`, `network`, `name`, `kind`, `role`.
// idempotent: yes
UNWIND $ids AS wanted
MATCH (a:Actor {id: wanted})-[m:MEMBER_OF]->(n:Network)
RETURN a.id AS actor, n.id AS network, n.name AS name, n.kind AS kind, m.role AS role
ORDER BY actor, network
