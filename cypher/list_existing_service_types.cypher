// Which of the given keys ($keys) are already ServiceType nodes in the database: `key`.
// idempotent: yes
UNWIND $keys AS k
MATCH (n:ServiceType {code: k})
RETURN n.code AS key
