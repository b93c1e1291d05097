// Every care pathway for a bundle export: `id`, `name`, `share`, `needs` (FOR_NEED codes), `zones`
// (FOR_ZONE ids), `networks` (RUN_BY ids).
// idempotent: yes
MATCH (p:CarePathway)
RETURN p.id AS id, p.name AS name, p.share AS share, [(p)-[:FOR_NEED]->(n:NeedType) | n.code] AS needs,
       [(p)-[:FOR_ZONE]->(z:Zone) | z.id] AS zones,
       [(p)-[:RUN_BY]->(w:Network) | w.id] AS networks
ORDER BY id
