// Upsert networks (consortia, teams, care pathways) by id. Returns `written`.
// touches: network
// idempotent: yes
UNWIND $rows AS row
MERGE (n:Network {id: row.id})
SET n.name = row.name, n.kind = row.kind
RETURN count(*) AS written
