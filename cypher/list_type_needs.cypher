// The needs each service type meets: those MET_BY it or by a broader type. Columns: `type`,
// `needs` (need codes).
// idempotent: yes
MATCH (t:ServiceType)-[:BROADER*0..]->(:ServiceType)<-[:MET_BY]-(n:NeedType)
RETURN t.code AS type, collect(DISTINCT n.code) AS needs
