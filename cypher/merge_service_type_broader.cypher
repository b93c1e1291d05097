// Link a service type to its broader type (rows: code, broader). Returns `written`.
UNWIND $rows AS row
MATCH (t:ServiceType {code: row.code}), (b:ServiceType {code: row.broader})
MERGE (t)-[:BROADER]->(b)
RETURN count(*) AS written
