// Candidate partner services for some needs around a zone: active services with free places
// whose type (or a broader one) is MET_BY one of the needs, and that either cover the zone
// (the zone itself or a zone it is part of: `covers_zone` true) or, for each box in $near
// (a list of at most one {south, north, west, east} map; [] for none), do not cover it but
// have a provider inside the box (`covers_zone` false: the caller keeps those within its
// distance). Starts from the zone and its PART_OF ancestors (and from the box's actors),
// never from all services. One row per (service, type, provider), in no particular order.
// Columns: `id`, `name`, `capacity`, `available`, `languages`, `eligibility`, `status`,
// `type`, `covers_zone`, `covers` (zone ids), `needs` (need codes met), `actor`, `lat`, `lon`.
// idempotent: yes
MATCH (:Zone {id: $zone})-[:PART_OF*0..]->(up:Zone)
WITH DISTINCT up
MATCH (up)<-[:COVERS]-(s:Service)
WHERE s.status = 'active' AND s.available > 0
WITH DISTINCT s
MATCH (s)-[:OF_TYPE]->(t:ServiceType)-[:BROADER*0..]->(:ServiceType)<-[:MET_BY]-(n:NeedType)
WHERE n.code IN $needs
WITH s, t, collect(DISTINCT n.code) AS needs
MATCH (a:Actor)-[:PROVIDES]->(s)
RETURN s.id AS id, s.name AS name, s.capacity AS capacity, s.available AS available,
       s.languages AS languages, s.eligibility AS eligibility, s.status AS status,
       t.code AS type, true AS covers_zone, [(s)-[:COVERS]->(z:Zone) | z.id] AS covers, needs,
       a.id AS actor, a.lat AS lat, a.lon AS lon
UNION ALL
UNWIND $near AS box
MATCH (:Zone {id: $zone})-[:PART_OF*0..]->(up:Zone)
WITH box, collect(DISTINCT up.id) AS ups
MATCH (a:Actor)
WHERE a.lat >= box.south AND a.lat <= box.north AND a.lon >= box.west AND a.lon <= box.east
WITH ups, a
MATCH (a)-[:PROVIDES]->(s:Service)
WHERE s.status = 'active' AND s.available > 0
MATCH (s)-[:OF_TYPE]->(t:ServiceType)-[:BROADER*0..]->(:ServiceType)<-[:MET_BY]-(n:NeedType)
WHERE n.code IN $needs
WITH ups, s, t, a, collect(DISTINCT n.code) AS needs
WITH s, t, a, needs, [(s)-[:COVERS]->(z:Zone) | z.id] AS covers, ups
WHERE none(z IN covers WHERE z IN ups)
RETURN s.id AS id, s.name AS name, s.capacity AS capacity, s.available AS available,
       s.languages AS languages, s.eligibility AS eligibility, s.status AS status,
       t.code AS type, false AS covers_zone, covers, needs,
       a.id AS actor, a.lat AS lat, a.lon AS lon
