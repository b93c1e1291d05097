// The patients actor $manager manages, as the case manager $actor may see them (those it
// manages or whose care circle it is in: all of them when $actor is $manager), ordered by
// pseudonym. Same columns as get_patients: `id`, `zone`, `lat`, `lon`, `languages`,
// `eligibility`, `case_manager`, `needs`.
// idempotent: yes
MATCH (m:Actor {id: $manager})-[:CASE_MANAGER_OF]->(p:Patient)-[:LIVES_IN]->(z:Zone)
MATCH (viewer:Actor {id: $actor})
WHERE (viewer)-[:CASE_MANAGER_OF]->(p)
   OR (viewer)-[:PROVIDES]->(:Service)<-[:TO]-(:Referral {status: 'accepted'})-[:FOR]->(p)
   OR (viewer)-[:PROVIDES]->(:Service)<-[:TO]-(:Referral {status: 'active'})-[:FOR]->(p)
RETURN p.id AS id, z.id AS zone, z.lat AS lat, z.lon AS lon, p.languages AS languages,
       p.eligibility AS eligibility, m.id AS case_manager,
       [(p)-[h:HAS_NEED]->(n:NeedType) | {code: n.code, since: h.since}] AS needs
ORDER BY id
