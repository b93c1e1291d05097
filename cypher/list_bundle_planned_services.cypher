// Every planned (to-be) service for a bundle export: `id`, `actions` (PLANS from), `actors`
// (providers), `types` (OF_TYPE codes), `name`, `capacity`, `languages`, `eligibility`,
// `covers` (zone ids).
// idempotent: yes
MATCH (s:Service {status: 'planned'})
RETURN s.id AS id, [(x:Action)-[:PLANS]->(s) | x.id] AS actions,
       [(a:Actor)-[:PROVIDES]->(s) | a.id] AS actors,
       [(s)-[:OF_TYPE]->(t:ServiceType) | t.code] AS types, s.name AS name,
       s.capacity AS capacity, s.languages AS languages, s.eligibility AS eligibility,
       [(s)-[:COVERS]->(z:Zone) | z.id] AS covers
ORDER BY id
