// Declare that a service covers a zone (rows: service, zone). Returns `written`.
UNWIND $rows AS row
MATCH (s:Service {id: row.service}), (z:Zone {id: row.zone})
MERGE (s)-[:COVERS]->(z)
RETURN count(*) AS written
