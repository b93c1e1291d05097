// Every actor with what entity matching compares: `id`, `name`, `lat`, `lon`, `nihdi`,
// `kbo`, `afmps`, `services` (a list of {id, type} maps of the services it provides).
MATCH (a:Actor)
OPTIONAL MATCH (a)-[:PROVIDES]->(s:Service)-[:OF_TYPE]->(t:ServiceType)
WITH a, collect({id: s.id, type: t.code}) AS services
RETURN a.id AS id, a.name AS name, a.lat AS lat, a.lon AS lon, a.nihdi AS nihdi,
       a.kbo AS kbo, a.afmps AS afmps, [x IN services WHERE x.id IS NOT NULL] AS services
ORDER BY id
