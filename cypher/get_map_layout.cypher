// The saved layout of a zone's map (at most one row): `positions` (JSON text), `ties` (JSON
// text), `saved_at`, `workshop` (the workshop that saved it, or null).
MATCH (l:MapLayout {zone: $zone})
RETURN l.positions AS positions, l.ties AS ties, l.saved_at AS saved_at, l.workshop AS workshop
LIMIT 1
