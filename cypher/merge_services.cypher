// Upsert services by id, with the actor providing them and their type. Returns `written`.
UNWIND $rows AS row
MATCH (a:Actor {id: row.actor}), (t:ServiceType {code: row.type})
MERGE (s:Service {id: row.id})
SET s.name = row.name, s.capacity = row.capacity, s.available = row.available,
    s.languages = row.languages, s.eligibility = row.eligibility, s.status = row.status
MERGE (a)-[:PROVIDES]->(s)
MERGE (s)-[:OF_TYPE]->(t)
RETURN count(*) AS written
