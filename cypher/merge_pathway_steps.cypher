// Set the ordered steps of care pathways (rows: pathway, steps, a list of {id, step, type,
// name, day} maps): the list replaces the pathway's stored steps (others are deleted); each
// step is a PathwayStep with `step` (its rank), `name` and `day` (expected days after
// enrolment), STEP_TYPE to one service type. Returns `written` (steps written).
// touches: network
// idempotent: yes
UNWIND $rows AS row
MATCH (p:CarePathway {id: row.pathway})
OPTIONAL MATCH (p)-[:HAS_STEP]->(old:PathwayStep)
WHERE NOT old.id IN [item IN row.steps | item.id]
DETACH DELETE old
WITH DISTINCT p, row
UNWIND row.steps AS item
MATCH (t:ServiceType {code: item.type})
MERGE (s:PathwayStep {id: item.id})
SET s.step = item.step, s.name = item.name, s.day = item.day
MERGE (p)-[:HAS_STEP]->(s)
WITH s, t
OPTIONAL MATCH (s)-[old:STEP_TYPE]->(other)
WHERE other <> t
DELETE old
WITH DISTINCT s, t
MERGE (s)-[:STEP_TYPE]->(t)
RETURN count(*) AS written
