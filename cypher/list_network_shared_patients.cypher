// Pairs of actors in $ids tied by at least $k patients (the small-cell threshold) through
// accepted or active referrals: for each such referral, the patient's case manager, the
// referring actor and the provider of the referred-to service are tied. Proposed, sent,
// declined, cancelled and closed referrals tie nobody. `source`, `target` with
// source < target; neither patient ids nor patient counts leave the database.
MATCH (p:Patient)<-[:FOR]-(r:Referral)
WHERE r.status IN ['accepted', 'active']
OPTIONAL MATCH (p)<-[:CASE_MANAGER_OF]-(manager:Actor)
OPTIONAL MATCH (r)-[:BY]->(by:Actor)
OPTIONAL MATCH (r)-[:TO]->(:Service)<-[:PROVIDES]-(provider:Actor)
WITH p, collect(manager.id) + collect(by.id) + collect(provider.id) AS linked
UNWIND linked AS source
UNWIND linked AS target
WITH p, source, target
WHERE source < target AND source IN $ids AND target IN $ids
WITH source, target, count(DISTINCT p) AS patients
WHERE patients >= $k
RETURN source, target
ORDER BY source, target
