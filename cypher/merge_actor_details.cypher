// Set the directory detail properties of actors (`props`: a null value removes one).
// Returns `written`.
// touches: sources
// idempotent: yes
UNWIND $rows AS row
MATCH (a:Actor {id: row.id})
SET a += row.props
RETURN count(*) AS written
