// Upsert care pathways by id (rows: id, name, need, share = the share of the people in the
// need the pathway is for, null for all) and the one need type each is for (a FOR_NEED to
// another need type is removed). Returns `written`.
// touches: network
// idempotent: yes
UNWIND $rows AS row
MATCH (n:NeedType {code: row.need})
MERGE (p:CarePathway {id: row.id})
SET p.name = row.name, p.share = row.share
WITH p, n
OPTIONAL MATCH (p)-[old:FOR_NEED]->(other)
WHERE other <> n
DELETE old
WITH DISTINCT p, n
MERGE (p)-[:FOR_NEED]->(n)
RETURN count(*) AS written
