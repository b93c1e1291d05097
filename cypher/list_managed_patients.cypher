// The patients whose case manager is one of the actors $actors: `actor`, `patient`.
// idempotent: yes
MATCH (a:Actor)-[:CASE_MANAGER_OF]->(p:Patient)
WHERE a.id IN $actors
RETURN a.id AS actor, p.id AS patient
ORDER BY actor, patient
