// Patients by pseudonym, for batched look-ups: `id`, `zone`, `lat`, `lon` (of the zone),
// `languages`, `eligibility`, `case_manager` (actor id or null), `needs` (list of
// {code, since} maps, unordered). Unknown ids give no row.
// idempotent: yes
UNWIND $ids AS wanted
MATCH (p:Patient {id: wanted})-[:LIVES_IN]->(z:Zone)
OPTIONAL MATCH (m:Actor)-[:CASE_MANAGER_OF]->(p)
RETURN p.id AS id, z.id AS zone, z.lat AS lat, z.lon AS lon, p.languages AS languages,
       p.eligibility AS eligibility, m.id AS case_manager,
       [(p)-[h:HAS_NEED]->(n:NeedType) | {code: n.code, since: h.since}] AS needs
