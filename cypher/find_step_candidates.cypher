// Candidate partner services for the next steps of a patient's care pathways: active
// services with free places whose type is one of $types. Same columns as
// find_partner_candidates (`needs` is empty: the caller adds the needs each meets).
// idempotent: yes
MATCH (t:ServiceType)<-[:OF_TYPE]-(s:Service)
WHERE t.code IN $types AND s.status = 'active' AND s.available > 0
MATCH (a:Actor)-[:PROVIDES]->(s)
OPTIONAL MATCH (s)-[:COVERS]->(c:Zone)<-[:PART_OF*0..]-(:Zone {id: $zone})
WITH s, t, a, count(c) > 0 AS covers_zone
WHERE covers_zone OR $anywhere
RETURN s.id AS id, s.name AS name, s.capacity AS capacity, s.available AS available,
       s.languages AS languages, s.eligibility AS eligibility, s.status AS status,
       t.code AS type, covers_zone, [(s)-[:COVERS]->(z:Zone) | z.id] AS covers,
       [] AS needs, a.id AS actor, a.lat AS lat, a.lon AS lon
ORDER BY id
