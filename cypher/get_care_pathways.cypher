// Care pathways by id ($ids), or every one when $ids is null: `id`, `name`, `share`, `need`
// (FOR_NEED code), `zone` (FOR_ZONE id or null), `network` (RUN_BY id or null), `steps` (list of
// {step, name, day, type} maps, in no particular order).
// idempotent: yes
MATCH (p:CarePathway)
WHERE $ids IS NULL OR p.id IN $ids
OPTIONAL MATCH (p)-[:FOR_NEED]->(n:NeedType)
OPTIONAL MATCH (p)-[:FOR_ZONE]->(z:Zone)
OPTIONAL MATCH (p)-[:RUN_BY]->(w:Network)
RETURN p.id AS id, p.name AS name, p.share AS share, n.code AS need, z.id AS zone, w.id AS network,
       [(p)-[:HAS_STEP]->(s:PathwayStep)-[:STEP_TYPE]->(t:ServiceType) |
        {step: s.step, name: s.name, day: s.day, type: t.code}] AS steps
ORDER BY id
