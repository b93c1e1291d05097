// The patients a case manager manages (CASE_MANAGER_OF), ordered by pseudonym, with the same
// columns as get_patients: `id`, `zone`, `lat`, `lon`, `languages`, `eligibility`,
// `case_manager`, `needs` (list of {code, since} maps, unordered).
// idempotent: yes
MATCH (m:Actor {id: $actor})-[:CASE_MANAGER_OF]->(p:Patient)-[:LIVES_IN]->(z:Zone)
RETURN p.id AS id, z.id AS zone, z.lat AS lat, z.lon AS lon, p.languages AS languages,
       p.eligibility AS eligibility, m.id AS case_manager,
       [(p)-[h:HAS_NEED]->(n:NeedType) | {code: n.code, since: h.since}] AS needs
ORDER BY id
