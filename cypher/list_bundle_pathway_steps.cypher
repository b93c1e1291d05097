// Every pathway step for a bundle export: `pathway`, `step`, `type`, `name`, `day`.
// idempotent: yes
MATCH (p:CarePathway)-[:HAS_STEP]->(s:PathwayStep)-[:STEP_TYPE]->(t:ServiceType)
RETURN p.id AS pathway, s.step AS step, t.code AS type, s.name AS name, s.day AS day
ORDER BY pathway, step
