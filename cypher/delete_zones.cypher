// Delete the given zones ($ids) with their relationships (parts are not deleted: they lose
// their PART_OF). Returns `deleted`.
UNWIND $ids AS wanted
MATCH (z:Zone {id: wanted})
DETACH DELETE z
RETURN count(*) AS deleted
