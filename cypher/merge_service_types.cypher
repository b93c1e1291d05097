// Upsert service types by code. Returns `written`.
// touches: types
// idempotent: yes
UNWIND $rows AS row
MERGE (t:ServiceType {code: row.code})
SET t.name = row.name, t.category = row.category
RETURN count(*) AS written
