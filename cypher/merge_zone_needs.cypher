// Record a zone's population need (rows: zone, need, people, year, source). Returns `written`.
// touches: demand
// idempotent: yes
UNWIND $rows AS row
MATCH (z:Zone {id: row.zone}), (n:NeedType {code: row.need})
MERGE (z)-[h:HAS_NEED]->(n)
SET h.people = row.people, h.year = row.year, h.source = row.source
RETURN count(*) AS written
