// The actors of a zone's network: located in zone $zone or one of its parts, or providing a
// service (active or paused) that covers $zone, one of its parts or a zone $zone is part of.
// Columns: `id`, `name`, `kind`, `line`, `discipline`, `zone` (where the actor is located).
// idempotent: yes
CALL {
  MATCH (a:Actor)-[:LOCATED_IN]->(:Zone)-[:PART_OF*0..]->(:Zone {id: $zone})
  RETURN a
  UNION
  MATCH (a:Actor)-[:PROVIDES]->(s:Service)-[:COVERS]->(:Zone)-[:PART_OF*0..]->(:Zone {id: $zone})
  WHERE s.status IN ['active', 'paused']
  RETURN a
  UNION
  MATCH (a:Actor)-[:PROVIDES]->(s:Service)-[:COVERS]->(:Zone)<-[:PART_OF*1..]-(:Zone {id: $zone})
  WHERE s.status IN ['active', 'paused']
  RETURN a
}
WITH DISTINCT a
OPTIONAL MATCH (a)-[:LOCATED_IN]->(home:Zone)
RETURN a.id AS id, a.name AS name, a.kind AS kind, a.line AS line,
       a.discipline AS discipline, home.id AS zone
ORDER BY id
