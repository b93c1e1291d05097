// Every COLLABORATES_WITH for a bundle export: `source`, `target`, `kind`, `since`.
// idempotent: yes
MATCH (a:Actor)-[c:COLLABORATES_WITH]->(b:Actor)
RETURN a.id AS source, b.id AS target, c.kind AS kind, c.since AS since
ORDER BY source, target
