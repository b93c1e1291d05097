// Link each care pathway to the network that runs it (rows: id, network; a null network
// removes the link). A RUN_BY to any other network is removed. Returns `written`.
// touches: network
// idempotent: yes
UNWIND $rows AS row
MATCH (p:CarePathway {id: row.id})
OPTIONAL MATCH (p)-[old:RUN_BY]->(other:Network)
WHERE row.network IS NULL OR other.id <> row.network
DELETE old
WITH DISTINCT p, row.network AS network_id
MATCH (w:Network {id: network_id})
MERGE (p)-[:RUN_BY]->(w)
RETURN count(*) AS written
