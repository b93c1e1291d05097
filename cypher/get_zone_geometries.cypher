// Polygons of the given zones ($ids): `id`, `geometry` (GeoJSON text or null), `display` (the
// simplified copy or null), `area_km2`, `aliases` (list or null), `estimated` (how the
// population was estimated, or null). Unknown ids give no row.
UNWIND $ids AS wanted
MATCH (z:Zone {id: wanted})
RETURN z.id AS id, z.geometry AS geometry, z.geometry_display AS display,
       z.area_km2 AS area_km2, z.aliases AS aliases, z.population_estimated AS estimated
