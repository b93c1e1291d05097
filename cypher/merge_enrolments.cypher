// Enrol patients in care pathways (rows: patient, pathway, since, completed = the last step
// done, 0 for none). Returns `written`.
// touches: patients
// idempotent: yes
UNWIND $rows AS row
MATCH (p:Patient {id: row.patient}), (c:CarePathway {id: row.pathway})
MERGE (p)-[e:ENROLLED_IN]->(c)
SET e.since = row.since, e.completed = row.completed
RETURN count(*) AS written
