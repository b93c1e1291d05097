// Actors commit to actions with a role (rows: action, actor, role). Returns `written`.
// touches: plans
// idempotent: yes
UNWIND $rows AS row
MATCH (a:Actor {id: row.actor}), (x:Action {id: row.action})
MERGE (a)-[c:COMMITS_TO]->(x)
SET c.role = row.role
RETURN count(*) AS written
