// Every ENROLLED_IN for a bundle export: `patient`, `pathway`, `since`, `completed`.
// idempotent: yes
MATCH (p:Patient)-[e:ENROLLED_IN]->(c:CarePathway)
RETURN p.id AS patient, c.id AS pathway, e.since AS since, e.completed AS completed
ORDER BY patient, pathway
