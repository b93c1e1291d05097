// Record the older codes of each zone (rows: id, aliases: zone ids that now mean this zone,
// such as the 2019 codes of merged municipalities); the list replaces the stored one.
// Returns `written`: zones updated.
UNWIND $rows AS row
MATCH (z:Zone {id: row.id})
SET z.aliases = row.aliases
RETURN count(*) AS written
