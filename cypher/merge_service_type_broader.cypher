// Link each service type to its one broader type (rows: code, broader; null for a top
// type). A BROADER to any other type is removed. Returns `written`.
// touches: types
// idempotent: yes
UNWIND $rows AS row
MATCH (t:ServiceType {code: row.code})
OPTIONAL MATCH (t)-[old:BROADER]->(other:ServiceType)
WHERE row.broader IS NULL OR other.code <> row.broader
DELETE old
WITH DISTINCT t, row.broader AS broader
MATCH (b:ServiceType {code: broader})
MERGE (t)-[:BROADER]->(b)
RETURN count(*) AS written
