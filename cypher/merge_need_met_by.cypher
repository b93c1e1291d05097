// Set the service types that meet each need type (rows: need, types): the list replaces the
// stored one, a MET_BY to a type not in it is removed. Returns `written` (links kept).
// touches: types
// idempotent: yes
UNWIND $rows AS row
MATCH (n:NeedType {code: row.need})
OPTIONAL MATCH (n)-[old:MET_BY]->(other:ServiceType)
WHERE NOT other.code IN row.types
DELETE old
WITH DISTINCT n, row.types AS types
UNWIND types AS code
MATCH (t:ServiceType {code: code})
MERGE (n)-[:MET_BY]->(t)
RETURN count(*) AS written
