// Record a patient's need (rows: patient, need, since). Returns `written`.
// touches: patients
// idempotent: yes
UNWIND $rows AS row
MATCH (p:Patient {id: row.patient}), (n:NeedType {code: row.need})
MERGE (p)-[h:HAS_NEED]->(n)
SET h.since = row.since
RETURN count(*) AS written
