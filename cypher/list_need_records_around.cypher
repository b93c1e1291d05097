// Need records inside a zone (itself included) or on its ancestors, for some needs: `zone`,
// `need`. Estimating these needs again would count their people twice.
// idempotent: yes
MATCH (root:Zone {id: $zone})
MATCH (k:Zone)-[:PART_OF*0..]->(root)
MATCH (k)-[:HAS_NEED]->(n:NeedType)
WHERE n.code IN $needs
RETURN k.id AS zone, n.code AS need
UNION
MATCH (:Zone {id: $zone})-[:PART_OF*1..]->(k:Zone)-[:HAS_NEED]->(n:NeedType)
WHERE n.code IN $needs
RETURN k.id AS zone, n.code AS need
