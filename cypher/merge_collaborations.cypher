// Record that two actors collaborate (rows: source, target, kind, since). Returns `written`.
// touches: network
// idempotent: yes
UNWIND $rows AS row
MATCH (a:Actor {id: row.source}), (b:Actor {id: row.target})
MERGE (a)-[c:COLLABORATES_WITH]->(b)
SET c.kind = row.kind, c.since = row.since
RETURN count(*) AS written
