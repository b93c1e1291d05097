// Every declared coverage of a service in one of $statuses, for the in-memory gap index
// (graphsvc.core.gapindex): one row per COVERS relationship. Columns: `service`, `zone`.
// idempotent: yes
MATCH (s:Service)-[:COVERS]->(z:Zone)
WHERE s.status IN $statuses
RETURN s.id AS service, z.id AS zone
