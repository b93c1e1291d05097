// Link each zone to the larger zone it is part of (rows: id, part_of). Returns `written`.
UNWIND $rows AS row
MATCH (z:Zone {id: row.id}), (p:Zone {id: row.part_of})
MERGE (z)-[:PART_OF]->(p)
RETURN count(*) AS written
