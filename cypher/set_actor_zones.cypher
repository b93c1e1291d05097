// Move actors to the zone they are located in (rows: id, zone); the previous LOCATED_IN is
// removed. Returns `written`: actors moved.
UNWIND $rows AS row
MATCH (a:Actor {id: row.id})
MATCH (z:Zone {id: row.zone})
OPTIONAL MATCH (a)-[old:LOCATED_IN]->(:Zone)
DELETE old
WITH DISTINCT a, z
MERGE (a)-[:LOCATED_IN]->(z)
RETURN count(*) AS written
