// Record every taxonomy term of a service as its `classifications` list (rows: id, types);
// OF_TYPE keeps the service's one main type. Returns `written`.
// touches: supply(rows.id)
// idempotent: yes
UNWIND $rows AS row
MATCH (s:Service {id: row.id})
SET s.classifications = row.types
RETURN count(*) AS written
