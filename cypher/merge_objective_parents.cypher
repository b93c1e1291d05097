// Link each objective to the one objective it refines (rows: id, parent; a null parent makes
// a top-level, strategic objective). A REFINES to any other objective is removed. Returns
// `written`.
// touches: plans
// idempotent: yes
UNWIND $rows AS row
MATCH (o:Objective {id: row.id})
OPTIONAL MATCH (o)-[old:REFINES]->(other:Objective)
WHERE row.parent IS NULL OR other.id <> row.parent
DELETE old
WITH DISTINCT o, row.parent AS parent
MATCH (p:Objective {id: parent})
MERGE (o)-[:REFINES]->(p)
RETURN count(*) AS written
