// The direct parts of each given zone, for batched look-ups: `parent`, `id`, ordered by id.
UNWIND $ids AS wanted
MATCH (c:Zone)-[:PART_OF]->(:Zone {id: wanted})
RETURN wanted AS parent, c.id AS id
ORDER BY parent, id
