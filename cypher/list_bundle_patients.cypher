// Every pseudonymous patient for a bundle export: `id`, `zones` (LIVES_IN), `languages`,
// `eligibility`, `managers` (CASE_MANAGER_OF actors' ids).
// idempotent: yes
MATCH (p:Patient)
RETURN p.id AS id, [(p)-[:LIVES_IN]->(z:Zone) | z.id] AS zones, p.languages AS languages,
       p.eligibility AS eligibility, [(m:Actor)-[:CASE_MANAGER_OF]->(p) | m.id] AS managers
ORDER BY id
