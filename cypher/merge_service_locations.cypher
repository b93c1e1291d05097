// Upsert the AT link of a service to a location with its detail properties (`props`: a null
// value removes one). Returns `written`.
// touches: sources
// idempotent: yes
UNWIND $rows AS row
MATCH (s:Service {id: row.service}), (l:Location {id: row.location})
MERGE (s)-[r:AT]->(l)
SET r += row.props
RETURN count(*) AS written
