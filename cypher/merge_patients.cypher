// Upsert pseudonymous patients with their one zone and one case manager
// (rows: id, zone, languages, eligibility, case_manager); a LIVES_IN to another zone and a
// CASE_MANAGER_OF from another actor are removed. Returns `written`.
// touches: patients(rows.id)
// idempotent: yes
UNWIND $rows AS row
MATCH (z:Zone {id: row.zone}), (m:Actor {id: row.case_manager})
MERGE (p:Patient {id: row.id})
SET p.languages = row.languages, p.eligibility = row.eligibility
WITH p, z, m
OPTIONAL MATCH (p)-[old:LIVES_IN]->(elsewhere)
WHERE elsewhere <> z
DELETE old
WITH DISTINCT p, z, m
OPTIONAL MATCH (other)-[old:CASE_MANAGER_OF]->(p)
WHERE other <> m
DELETE old
WITH DISTINCT p, z, m
MERGE (p)-[:LIVES_IN]->(z)
MERGE (m)-[:CASE_MANAGER_OF]->(p)
RETURN count(*) AS written
