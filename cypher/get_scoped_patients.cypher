// Patients by pseudonym as the case manager $actor may see them: only those it manages
// (CASE_MANAGER_OF) or whose care circle it is in (it provides a service with an accepted or
// active referral for them). Same columns as get_patients: `id`, `zone`, `lat`, `lon`,
// `languages`, `eligibility`, `case_manager`, `needs`. Other ids give no row, known or not.
// idempotent: yes
UNWIND $ids AS wanted
MATCH (p:Patient {id: wanted})-[:LIVES_IN]->(z:Zone)
MATCH (viewer:Actor {id: $actor})
WHERE (viewer)-[:CASE_MANAGER_OF]->(p)
   OR (viewer)-[:PROVIDES]->(:Service)<-[:TO]-(:Referral {status: 'accepted'})-[:FOR]->(p)
   OR (viewer)-[:PROVIDES]->(:Service)<-[:TO]-(:Referral {status: 'active'})-[:FOR]->(p)
OPTIONAL MATCH (m:Actor)-[:CASE_MANAGER_OF]->(p)
RETURN p.id AS id, z.id AS zone, z.lat AS lat, z.lon AS lon, p.languages AS languages,
       p.eligibility AS eligibility, m.id AS case_manager,
       [(p)-[h:HAS_NEED]->(n:NeedType) | {code: n.code, since: h.since}] AS needs
