// Set the directory detail properties of services (`props`: a null value removes one).
// Returns `written`.
// touches: sources
// idempotent: yes
UNWIND $rows AS row
MATCH (s:Service {id: row.id})
SET s += row.props
RETURN count(*) AS written
