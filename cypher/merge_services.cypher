// Upsert services by id (capacity null and capacity_provenance `unknown` when not known), with the one actor providing each and its one main type (PROVIDES
// from another actor and OF_TYPE to another type are removed; a row's `covers` is
// merge_service_coverage's). Returns `written`.
// touches: supply(rows.id)
// idempotent: yes
UNWIND $rows AS row
MATCH (a:Actor {id: row.actor}), (t:ServiceType {code: row.type})
MERGE (s:Service {id: row.id})
SET s.name = row.name, s.capacity = row.capacity, s.available = row.available,
    s.capacity_provenance = row.capacity_provenance,
    s.languages = row.languages, s.eligibility = row.eligibility, s.status = row.status
WITH s, a, t
OPTIONAL MATCH (other)-[old:PROVIDES]->(s)
WHERE other <> a
DELETE old
WITH DISTINCT s, a, t
OPTIONAL MATCH (s)-[old:OF_TYPE]->(other)
WHERE other <> t
DELETE old
WITH DISTINCT s, a, t
MERGE (a)-[:PROVIDES]->(s)
MERGE (s)-[:OF_TYPE]->(t)
RETURN count(*) AS written
