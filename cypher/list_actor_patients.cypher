// The patients each given actor is involved with: as their case manager, or as the provider
// of a service with a referral for them in one of $statuses. Columns: `actor`, `patient`.
// idempotent: yes
MATCH (a:Actor)-[:CASE_MANAGER_OF]->(p:Patient)
WHERE a.id IN $ids
RETURN a.id AS actor, p.id AS patient
UNION
MATCH (a:Actor)-[:PROVIDES]->(:Service)<-[:TO]-(r:Referral)-[:FOR]->(p:Patient)
WHERE a.id IN $ids AND r.status IN $statuses
RETURN a.id AS actor, p.id AS patient
