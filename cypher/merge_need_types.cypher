// Upsert need types by code. Returns `written`.
// touches: types
// idempotent: yes
UNWIND $rows AS row
MERGE (n:NeedType {code: row.code})
SET n.name = row.name, n.domain = row.domain
RETURN count(*) AS written
