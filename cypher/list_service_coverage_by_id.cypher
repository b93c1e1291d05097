// The declared coverage of the services among $ids in one of $statuses, for an incremental
// update of the gap index (graphsvc.core.gapindex): one row per COVERS relationship. Columns:
// `service`, `zone`.
// idempotent: yes
UNWIND $ids AS wanted
MATCH (s:Service {id: wanted})-[:COVERS]->(z:Zone)
WHERE s.status IN $statuses
RETURN s.id AS service, z.id AS zone
