// Link a need type to a service type that meets it (rows: need, type). Returns `written`.
UNWIND $rows AS row
MATCH (n:NeedType {code: row.need}), (t:ServiceType {code: row.type})
MERGE (n)-[:MET_BY]->(t)
RETURN count(*) AS written
