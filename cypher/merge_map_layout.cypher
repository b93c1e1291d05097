// Save (or replace) the layout of a zone's map: positions and ties as JSON text, with when
// and by which workshop (or null). Returns `written`.
MERGE (l:MapLayout {zone: $zone})
SET l.positions = $positions, l.ties = $ties, l.saved_at = $saved_at, l.workshop = $workshop
RETURN count(l) AS written
