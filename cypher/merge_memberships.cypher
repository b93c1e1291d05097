// Make actors members of networks with a role (rows: actor, network, role). Returns `written`.
// touches: network
// idempotent: yes
UNWIND $rows AS row
MATCH (a:Actor {id: row.actor}), (n:Network {id: row.network})
MERGE (a)-[m:MEMBER_OF]->(n)
SET m.role = row.role
RETURN count(*) AS written
