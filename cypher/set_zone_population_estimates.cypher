// Set estimated populations (rows: id, population, method: how it was estimated, e.g.
// "area share of be-nis-24062"). Returns `written`: zones updated.
UNWIND $rows AS row
MATCH (z:Zone {id: row.id})
SET z.population = row.population, z.population_estimated = row.method
RETURN count(*) AS written
