// Funding lines that fund a zone (rows: id, zone): FUNDS to that zone, any other FUNDS of
// the line removed. Returns `written`.
// touches: network
// idempotent: yes
UNWIND $rows AS row
MATCH (f:Funding {id: row.id}), (z:Zone {id: row.zone})
OPTIONAL MATCH (f)-[old:FUNDS]->(other)
WHERE other <> z
DELETE old
WITH DISTINCT f, z
MERGE (f)-[:FUNDS]->(z)
RETURN count(*) AS written
