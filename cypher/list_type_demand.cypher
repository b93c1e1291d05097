// People in need that each service type serves, per zone: the sum over the zone's recorded
// needs met by the type or a broader one. Columns: `zone`, `type`, `demand`.
// idempotent: yes
UNWIND $zones AS wanted
MATCH (k:Zone {id: wanted})-[h:HAS_NEED]->(n:NeedType)-[:MET_BY]->(:ServiceType)<-[:BROADER*0..]-(t:ServiceType)
WHERE t.code IN $types
WITH DISTINCT k, t, n, h
RETURN k.id AS zone, t.code AS type, toInteger(sum(h.people)) AS demand
ORDER BY zone, type
