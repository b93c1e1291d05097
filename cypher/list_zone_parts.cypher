// The direct parts of each given zone, for batched look-ups, ordered by id: `parent`, `id`,
// `name`, `level`, `population`, `lat`, `lon`.
// idempotent: yes
UNWIND $ids AS wanted
MATCH (c:Zone)-[:PART_OF]->(:Zone {id: wanted})
RETURN wanted AS parent, c.id AS id, c.name AS name, c.level AS level,
       c.population AS population, c.lat AS lat, c.lon AS lon
ORDER BY parent, id
