// Every zone need for a bundle export: `zone`, `need`, `people`, `year`, `source`.
// idempotent: yes
MATCH (z:Zone)-[h:HAS_NEED]->(n:NeedType)
RETURN z.id AS zone, n.code AS need, h.people AS people, h.year AS year, h.source AS source
ORDER BY zone, need
