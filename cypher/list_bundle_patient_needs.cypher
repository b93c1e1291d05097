// Every patient need for a bundle export: `patient`, `need`, `since`.
// idempotent: yes
MATCH (p:Patient)-[h:HAS_NEED]->(n:NeedType)
RETURN p.id AS patient, n.code AS need, h.since AS since
ORDER BY patient, need
