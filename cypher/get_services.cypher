// Services by id, for checking arguments: `id`, `actor`, `status`. Unknown ids give no row.
// idempotent: yes
UNWIND $ids AS wanted
MATCH (a:Actor)-[:PROVIDES]->(s:Service {id: wanted})
RETURN s.id AS id, a.id AS actor, s.status AS status
