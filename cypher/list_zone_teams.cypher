// The teams of a zone: networks whose kind ends with `team` working in (WORKS_IN) zone $zone
// or a zone inside it. Columns: `id`, `name`, `kind`, `zone` (the zone it works in),
// `members` (how many actors are MEMBER_OF it). Ordered by id.
// idempotent: yes
MATCH (w:Network)-[:WORKS_IN]->(z:Zone)-[:PART_OF*0..]->(:Zone {id: $zone})
WHERE w.kind ENDS WITH 'team'
RETURN DISTINCT w.id AS id, w.name AS name, w.kind AS kind, z.id AS zone,
       size([(a:Actor)-[:MEMBER_OF]->(w) | a.id]) AS members
ORDER BY id
