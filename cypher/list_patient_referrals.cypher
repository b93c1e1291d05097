// The referrals of some patients, ordered by patient, creation time and id: `id`, `status`,
// `created`, `updated`, `outcome`, `note`, `patient`, `by` (actor id or null), `service` (a
// map: id, name, capacity, available, status, languages, eligibility, actor, type, covers)
// and `meets` (codes of the patient's needs the service's type meets; may repeat).
// idempotent: yes
UNWIND $ids AS wanted
MATCH (p:Patient {id: wanted})<-[:FOR]-(r:Referral)-[:TO]->(s:Service)-[:OF_TYPE]->(t:ServiceType)
MATCH (a:Actor)-[:PROVIDES]->(s)
OPTIONAL MATCH (r)-[:BY]->(b:Actor)
RETURN r.id AS id, r.status AS status, r.created AS created, r.updated AS updated,
       r.outcome AS outcome, r.note AS note, p.id AS patient, b.id AS by,
       {id: s.id, name: s.name, capacity: s.capacity, available: s.available,
        status: s.status, languages: s.languages, eligibility: s.eligibility, actor: a.id,
        type: t.code, covers: [(s)-[:COVERS]->(z:Zone) | z.id]} AS service,
       [(t)-[:BROADER*0..]->(:ServiceType)<-[:MET_BY]-(n:NeedType)<-[:HAS_NEED]-(p) | n.code]
         AS meets
ORDER BY patient, created, id
