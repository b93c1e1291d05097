// The teams to compare team $team with: every network whose kind ends with `team` working
// in (WORKS_IN) a zone inside the pilot zone above the zone $team works in (or inside that
// zone itself when no pilot zone is above it), $team included. No rows when $team works in
// no zone. Columns: `pilot`, `id`, `name`, `kind`, `zone`, `members` (actor ids).
// idempotent: yes
MATCH (:Network {id: $team})-[:WORKS_IN]->(z:Zone)
OPTIONAL MATCH (z)-[:PART_OF*0..]->(p:Zone)
WHERE p.level = 'pilot_zone'
WITH coalesce(p, z) AS pilot
MATCH (w:Network)-[:WORKS_IN]->(wz:Zone)-[:PART_OF*0..]->(pilot)
WHERE w.kind ENDS WITH 'team'
RETURN DISTINCT pilot.id AS pilot, w.id AS id, w.name AS name, w.kind AS kind, wz.id AS zone,
       [(a:Actor)-[:MEMBER_OF]->(w) | a.id] AS members
ORDER BY id
