// Pairs of actors in $ids that share at least one patient (as case manager, referring actor
// or provider of a referred-to service): `source`, `target` with source < target. Neither
// patient ids nor patient counts leave the database.
MATCH (p:Patient)
OPTIONAL MATCH (p)<-[:CASE_MANAGER_OF]-(manager:Actor)
OPTIONAL MATCH (p)<-[:FOR]-(r:Referral)
OPTIONAL MATCH (r)-[:BY]->(by:Actor)
OPTIONAL MATCH (r)-[:TO]->(:Service)<-[:PROVIDES]-(provider:Actor)
WITH p, collect(manager.id) + collect(by.id) + collect(provider.id) AS linked
UNWIND linked AS source
UNWIND linked AS target
WITH source, target
WHERE source < target AND source IN $ids AND target IN $ids
RETURN DISTINCT source, target
ORDER BY source, target
