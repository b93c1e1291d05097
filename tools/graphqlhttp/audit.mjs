// Run graphql-http's GraphQL-over-HTTP audits against a server: node audit.mjs URL
// Prints one line per audit that is not ok and a summary; exit 1 unless all pass.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs http://127.0.0.1:PORT/graphql');
  process.exit(2);
}
const results = await auditServer({ url });
const failed = results.filter((r) => r.status !== 'ok');
for (const r of failed) {
  console.log(`${r.status} ${r.id} ${r.name}: ${r.reason}`);
}
console.log(`graphql-http: ${results.length - failed.length} of ${results.length} audits ok`);
process.exit(failed.length ? 1 : 0);
