// Every service for a bundle export: `id`, `actors` (providers' ids), `types` (OF_TYPE codes),
// `name`, `capacity` (null: unknown), `capacity_provenance`, `available`, `languages`, `eligibility`, `status`, `covers` (zone ids),
// `classifications` (every taxonomy term, or null). Planned services are exported with the
// actions that plan them (list_bundle_planned_services).
// idempotent: yes
MATCH (s:Service)
WHERE s.status <> 'planned'
RETURN s.id AS id, [(a:Actor)-[:PROVIDES]->(s) | a.id] AS actors,
       [(s)-[:OF_TYPE]->(t:ServiceType) | t.code] AS types, s.name AS name,
       s.capacity AS capacity, s.capacity_provenance AS capacity_provenance,
       s.available AS available, s.languages AS languages,
       s.eligibility AS eligibility, s.status AS status,
       [(s)-[:COVERS]->(z:Zone) | z.id] AS covers, s.classifications AS classifications
ORDER BY id
