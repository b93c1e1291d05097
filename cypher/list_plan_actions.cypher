// The actions serving some objectives ($objectives): `id`, `name`, `objective`, `status`,
// `start_date`, `end_date`, `needs` (TARGETS codes), `zones` (FOR_ZONE ids), `cells` (every
// zone inside a targeted zone, the targeted zones included) and `commitments` (list of
// {actor, role} maps).
// idempotent: yes
MATCH (x:Action)-[:SERVES]->(o:Objective)
WHERE o.id IN $objectives
RETURN x.id AS id, x.name AS name, o.id AS objective, x.status AS status,
       x.start_date AS start_date, x.end_date AS end_date,
       [(x)-[:TARGETS]->(n:NeedType) | n.code] AS needs,
       [(x)-[:FOR_ZONE]->(z:Zone) | z.id] AS zones,
       [(x)-[:FOR_ZONE]->(:Zone)<-[:PART_OF*0..]-(cell:Zone) | cell.id] AS cells,
       [(m:Actor)-[k:COMMITS_TO]->(x) | {actor: m.id, role: k.role}] AS commitments
ORDER BY objective, id
