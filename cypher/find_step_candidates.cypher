// Candidate partner services for the next steps of a patient's care pathways: active
// services with free places whose type is one of $types, that cover zone $zone or, for each
// box in $near ([] for none), have a provider inside the box (as find_partner_candidates,
// whose columns it returns; `needs` is empty: the caller adds the needs each meets). Starts
// from the zone and its PART_OF ancestors (and from the box's actors), never from all
// services. One row per (service, type, provider), in no particular order.
// idempotent: yes
MATCH (:Zone {id: $zone})-[:PART_OF*0..]->(up:Zone)
WITH DISTINCT up
MATCH (up)<-[:COVERS]-(s:Service)
WHERE s.status = 'active' AND s.available > 0
WITH DISTINCT s
MATCH (s)-[:OF_TYPE]->(t:ServiceType)
WHERE t.code IN $types
MATCH (a:Actor)-[:PROVIDES]->(s)
RETURN s.id AS id, s.name AS name, s.capacity AS capacity, s.available AS available,
       s.languages AS languages, s.eligibility AS eligibility, s.status AS status,
       t.code AS type, true AS covers_zone, [(s)-[:COVERS]->(z:Zone) | z.id] AS covers,
       [] AS needs, a.id AS actor, a.lat AS lat, a.lon AS lon
UNION ALL
UNWIND $near AS box
MATCH (:Zone {id: $zone})-[:PART_OF*0..]->(up:Zone)
WITH box, collect(DISTINCT up.id) AS ups
MATCH (a:Actor)
WHERE a.lat >= box.south AND a.lat <= box.north AND a.lon >= box.west AND a.lon <= box.east
WITH ups, a
MATCH (a)-[:PROVIDES]->(s:Service)
WHERE s.status = 'active' AND s.available > 0
MATCH (s)-[:OF_TYPE]->(t:ServiceType)
WHERE t.code IN $types
WITH ups, s, t, a, [(s)-[:COVERS]->(z:Zone) | z.id] AS covers
WHERE none(z IN covers WHERE z IN ups)
RETURN s.id AS id, s.name AS name, s.capacity AS capacity, s.available AS available,
       s.languages AS languages, s.eligibility AS eligibility, s.status AS status,
       t.code AS type, false AS covers_zone, covers, [] AS needs, a.id AS actor,
       a.lat AS lat, a.lon AS lon
