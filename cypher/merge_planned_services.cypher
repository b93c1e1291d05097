// Upsert the to-be services actions plan (rows: id, action, actor, type, name, capacity,
// languages, eligibility, covers): status `planned` with no free place, PROVIDES from the
// actor, OF_TYPE, PLANS from the action (others of these are removed) and COVERS (the list
// replaces the stored one). A service that exists and is no longer planned (it opened, or
// is an existing service) is left alone. Returns `written` (services written).
// touches: supply(rows.id), plans
// idempotent: yes
UNWIND $rows AS row
MATCH (act:Action {id: row.action}), (a:Actor {id: row.actor}), (t:ServiceType {code: row.type})
MERGE (s:Service {id: row.id})
ON CREATE SET s.status = 'planned'
WITH s, row, act, a, t
WHERE s.status = 'planned'
SET s.name = row.name, s.capacity = row.capacity, s.available = 0,
    s.languages = row.languages, s.eligibility = row.eligibility
WITH s, row, act, a, t
OPTIONAL MATCH (other)-[old:PROVIDES|PLANS]->(s)
WHERE other <> a AND other <> act
DELETE old
WITH DISTINCT s, row, act, a, t
OPTIONAL MATCH (s)-[old:OF_TYPE]->(other)
WHERE other <> t
DELETE old
WITH DISTINCT s, row, act, a, t
OPTIONAL MATCH (s)-[old:COVERS]->(other:Zone)
WHERE NOT other.id IN row.covers
DELETE old
WITH DISTINCT s, row, act, a, t
MERGE (a)-[:PROVIDES]->(s)
MERGE (s)-[:OF_TYPE]->(t)
MERGE (act)-[:PLANS]->(s)
WITH DISTINCT s, row
UNWIND row.covers AS zone_id
MATCH (z:Zone {id: zone_id})
MERGE (s)-[:COVERS]->(z)
RETURN count(DISTINCT s) AS written
