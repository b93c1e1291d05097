// Upsert actions by id (rows: id, name, objective, status, start_date, end_date) and the one
// objective each serves (a SERVES to another objective is removed). Returns `written`.
// touches: plans
// idempotent: yes
UNWIND $rows AS row
MATCH (o:Objective {id: row.objective})
MERGE (x:Action {id: row.id})
SET x.name = row.name, x.status = row.status, x.start_date = row.start_date,
    x.end_date = row.end_date
WITH x, o
OPTIONAL MATCH (x)-[old:SERVES]->(other)
WHERE other <> o
DELETE old
WITH DISTINCT x, o
MERGE (x)-[:SERVES]->(o)
RETURN count(*) AS written
