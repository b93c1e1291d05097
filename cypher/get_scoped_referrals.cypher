// Referrals by id, only those for patients the case manager $actor may see (it manages them
// or is in their care circle). Same columns as get_referrals: `id`, `status`, `created`,
// `updated`, `outcome`, `note`, `patient`, `by`, `service` (a map) and `meets`. Other ids
// give no row, known or not.
// idempotent: yes
UNWIND $ids AS wanted
MATCH (p:Patient)<-[:FOR]-(r:Referral {id: wanted})-[:TO]->(s:Service)-[:OF_TYPE]->(t:ServiceType)
MATCH (viewer:Actor {id: $actor})
WHERE (viewer)-[:CASE_MANAGER_OF]->(p)
   OR (viewer)-[:PROVIDES]->(:Service)<-[:TO]-(:Referral {status: 'accepted'})-[:FOR]->(p)
   OR (viewer)-[:PROVIDES]->(:Service)<-[:TO]-(:Referral {status: 'active'})-[:FOR]->(p)
MATCH (a:Actor)-[:PROVIDES]->(s)
OPTIONAL MATCH (r)-[:BY]->(b:Actor)
RETURN r.id AS id, r.status AS status, r.created AS created, r.updated AS updated,
       r.outcome AS outcome, r.note AS note, p.id AS patient, b.id AS by,
       {id: s.id, name: s.name, capacity: s.capacity, available: s.available,
        status: s.status, languages: s.languages, eligibility: s.eligibility, actor: a.id,
        type: t.code, covers: [(s)-[:COVERS]->(z:Zone) | z.id]} AS service,
       [(t)-[:BROADER*0..]->(:ServiceType)<-[:MET_BY]-(n:NeedType)<-[:HAS_NEED]-(p) | n.code]
         AS meets
