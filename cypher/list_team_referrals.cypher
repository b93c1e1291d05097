// The referrals made BY one of the actors $actors or going TO a service one of them
// provides: `id`, `status`, `created`, `accepted` (when it was accepted, or null), `patient`,
// `by`, `provider`.
// idempotent: yes
UNWIND $actors AS actor_id
MATCH (a:Actor {id: actor_id})
WITH [(a)<-[:BY]-(r:Referral) | r] + [(a)-[:PROVIDES]->(:Service)<-[:TO]-(r2:Referral) | r2]
     AS found
UNWIND found AS r
WITH DISTINCT r
MATCH (r)-[:FOR]->(p:Patient)
MATCH (r)-[:TO]->(:Service)<-[:PROVIDES]-(provider:Actor)
OPTIONAL MATCH (r)-[:BY]->(b:Actor)
RETURN r.id AS id, r.status AS status, r.created AS created, r.accepted AS accepted,
       p.id AS patient, b.id AS by, provider.id AS provider
ORDER BY id
