// Upsert zones by id with their properties. Returns `written`: rows processed.
// touches: zones
// idempotent: yes
UNWIND $rows AS row
MERGE (z:Zone {id: row.id})
SET z.name = row.name, z.level = row.level, z.population = row.population,
    z.lat = row.lat, z.lon = row.lon
RETURN count(*) AS written
