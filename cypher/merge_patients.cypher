// Upsert pseudonymous patients with their zone and case manager
// (rows: id, zone, languages, eligibility, case_manager). Returns `written`.
UNWIND $rows AS row
MATCH (z:Zone {id: row.zone}), (m:Actor {id: row.case_manager})
MERGE (p:Patient {id: row.id})
SET p.languages = row.languages, p.eligibility = row.eligibility
MERGE (p)-[:LIVES_IN]->(z)
MERGE (m)-[:CASE_MANAGER_OF]->(p)
RETURN count(*) AS written
