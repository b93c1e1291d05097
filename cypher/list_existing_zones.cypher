// Which of the given keys ($keys) are already Zone nodes in the database: `key`.
// idempotent: yes
UNWIND $keys AS k
MATCH (n:Zone {id: k})
RETURN n.id AS key
