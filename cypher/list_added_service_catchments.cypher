// For hypothetical services (what-if), the demand cells each would reach: cells under the
// zones it would cover, for the needs its type meets. `$services` is a list of
// {key, type, zones} maps. Columns: `key`, `zone`, `need`, `people`.
// idempotent: yes
UNWIND $services AS added
MATCH (:ServiceType {code: added.type})-[:BROADER*0..]->(:ServiceType)<-[:MET_BY]-(n:NeedType)
MATCH (c:Zone)<-[:PART_OF*0..]-(k:Zone)-[h:HAS_NEED]->(n)
WHERE c.id IN added.zones
RETURN DISTINCT added.key AS key, k.id AS zone, n.code AS need, h.people AS people
ORDER BY key, zone, need
