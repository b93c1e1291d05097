// Demand cells for some needs whose zone lies in a latitude/longitude box (for the distance
// method). Columns: `zone`, `need`, `people`, `lat`, `lon`.
// idempotent: yes
MATCH (k:Zone)-[h:HAS_NEED]->(n:NeedType)
WHERE n.code IN $needs
  AND k.lat >= $south AND k.lat <= $north AND k.lon >= $west AND k.lon <= $east
RETURN k.id AS zone, n.code AS need, h.people AS people, k.lat AS lat, k.lon AS lon
ORDER BY zone, need
