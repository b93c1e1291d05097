// The zone each network or team works in (rows: network, zone): WORKS_IN, a WORKS_IN to
// another zone is removed. Returns `written`.
// touches: network
// idempotent: yes
UNWIND $rows AS row
MATCH (w:Network {id: row.network}), (z:Zone {id: row.zone})
OPTIONAL MATCH (w)-[old:WORKS_IN]->(other)
WHERE other <> z
DELETE old
WITH DISTINCT w, z
MERGE (w)-[:WORKS_IN]->(z)
RETURN count(*) AS written
