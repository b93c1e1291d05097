// Store each zone's polygon (rows: id, geometry: GeoJSON text, display: its simplified copy,
// area_km2). Zones not in the database are left out. Returns `written`: zones updated.
UNWIND $rows AS row
MATCH (z:Zone {id: row.id})
SET z.geometry = row.geometry, z.geometry_display = row.display, z.area_km2 = row.area_km2
RETURN count(*) AS written
