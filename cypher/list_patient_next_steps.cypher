// The care pathways patient $patient is enrolled in, each with its steps after the last one
// completed: `pathway`, `name`, `since`, `completed`, `steps` (list of {step, name, day,
// type, types} maps; `types` holds the step's service type and every narrower one).
// idempotent: yes
MATCH (:Patient {id: $patient})-[e:ENROLLED_IN]->(p:CarePathway)
OPTIONAL MATCH (p)-[:HAS_STEP]->(s:PathwayStep)-[:STEP_TYPE]->(t:ServiceType)
WHERE s.step > coalesce(e.completed, 0)
WITH p, e, s, t, [(t)<-[:BROADER*0..]-(narrower:ServiceType) | narrower.code] AS types
WITH p, e, collect(CASE WHEN s IS NULL THEN null
                   ELSE {step: s.step, name: s.name, day: s.day, type: t.code, types: types}
                   END) AS steps
RETURN p.id AS pathway, p.name AS name, e.since AS since, e.completed AS completed, steps
ORDER BY pathway
