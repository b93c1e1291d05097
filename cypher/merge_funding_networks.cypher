// Funding lines that fund a network or team (rows: id, network): FUNDS to that network, any
// other FUNDS of the line removed. Returns `written`.
// touches: network
// idempotent: yes
UNWIND $rows AS row
MATCH (f:Funding {id: row.id}), (w:Network {id: row.network})
OPTIONAL MATCH (f)-[old:FUNDS]->(other)
WHERE other <> w
DELETE old
WITH DISTINCT f, w
MERGE (f)-[:FUNDS]->(w)
RETURN count(*) AS written
