// Which zones the given codes ($codes) are older names of: `alias` (the code asked for) and
// `id` (the zone it now means). Codes that are no alias give no row.
MATCH (z:Zone)
WHERE z.aliases IS NOT NULL
UNWIND z.aliases AS alias
WITH z, alias
WHERE alias IN $codes
RETURN alias, z.id AS id
ORDER BY alias
