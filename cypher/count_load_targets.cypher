// How many zones, actors and services the graph holds, in one row (`zones`, `actors`,
// `services`): a bulk load creates the kinds it finds none of (create_zones, create_actors,
// create_services) instead of merging them one by one.
// idempotent: yes
OPTIONAL MATCH (z:Zone)
WITH count(z) AS zones
OPTIONAL MATCH (a:Actor)
WITH zones, count(a) AS actors
OPTIONAL MATCH (s:Service)
RETURN zones, actors, count(s) AS services
