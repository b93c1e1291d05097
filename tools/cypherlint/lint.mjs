#!/usr/bin/env node
// Lint every Cypher statement graphsvc would send to Neo4j 5, offline, with Neo4j's own
// parser and semantic analysis (@neo4j-cypher/language-support).
// Usage: node tools/cypherlint/lint.mjs [cypher-dir]   (exit 0 clean, 1 errors, 2 usage)
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { lintCypherQuery, isNotParamError, testData } from '@neo4j-cypher/language-support';

const VERSION = 'CYPHER 5';
const ERROR = 1; // LSP DiagnosticSeverity.Error

// The package's own catalogue of functions/procedures, dumped from a real Neo4j. Keep only
// what a plain Neo4j has: without the APOC/GDS plugins, apoc.* or gds.* would fail at run time.
const plugin = (name) => /^(apoc|gds)\./.test(name);
const pick = (registry, keep) =>
  Object.fromEntries(Object.entries(registry).filter(([name, item]) => keep(name, item)));
const catalogue = testData.mockSchema;
const schema = {
  defaultLanguage: VERSION,
  // No labels/relationshipTypes/propertyKeys: unknown ones are then not even warned about.
  // Every $param is declared by the caller, so undeclared-parameter errors are dropped below.
  functions: {
    [VERSION]: pick(catalogue.functions[VERSION], (n, f) => f.isBuiltIn && !plugin(n)),
  },
  procedures: { [VERSION]: pick(catalogue.procedures[VERSION], (n) => !plugin(n)) },
};

const dir = process.argv[2] ?? 'cypher';
if (process.argv.length > 3 || !existsSync(dir) || !statSync(dir).isDirectory()) {
  console.error(`usage: node tools/cypherlint/lint.mjs [cypher-dir]  (got: ${process.argv.slice(2)})`);
  process.exit(2);
}

const cypherFiles = (d) =>
  existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.cypher')).sort() : [];
const isSetup = (file) => file.startsWith('setup');

// The effective Neo4j set, as graphsvc.queries loads it: shared files, replaced by neo4j/
// overrides of the same name, plus neo4j-only files; *.falkordb.cypher are never sent.
const effective = new Map();
for (const f of cypherFiles(dir)) {
  if (!f.endsWith('.falkordb.cypher')) effective.set(f, join(dir, f));
}
for (const f of cypherFiles(join(dir, 'neo4j'))) effective.set(f, join(dir, 'neo4j', f));

// Statements of one file with the line they start on. A query file is one statement (a
// trailing `;` is stripped, as graphsvc does); a setup file is split on every `;` after
// blanking `//` comment lines, exactly like graphsvc.queries.load_statements.
function statements(file, text) {
  if (!isSetup(file)) return [{ text: text.replace(/[\s;]+$/, ''), line: 0 }];
  const body = text
    .split('\n')
    .map((l) => (l.trimStart().startsWith('//') ? '' : l))
    .join('\n');
  const out = [];
  let line = 0;
  for (const chunk of body.split(';')) {
    if (chunk.trim()) out.push({ text: chunk, line });
    line += chunk.split('\n').length - 1;
  }
  return out;
}

let errors = 0;
const report = (path, line, col, message) => {
  errors += 1;
  console.log(`${path}:${line + 1}:${col + 1}: ${message.replace(/\s+/g, ' ').trim()}`);
};

for (const path of effective.values()) {
  for (const st of statements(basename(path), readFileSync(path, 'utf8'))) {
    const { diagnostics, symbolTables } = lintCypherQuery(st.text, schema, {
      consoleCommandsEnabled: false,
    });
    for (const d of diagnostics) {
      if (d.severity !== ERROR || !isNotParamError(d)) continue;
      // Some semantic errors (e.g. bad index OPTIONS) come with position -1.
      const { line, character } = d.range.start;
      report(path, st.line + Math.max(line, 0), Math.max(character, 0), d.message);
    }
    // Neo4j 5.x has only Cypher 5; the package would happily lint a `CYPHER 25` query.
    if (/^\s*CYPHER\s+\d/i.test(st.text.replace(/^\s*\/\/.*$/gm, ''))) {
      report(path, st.line, 0, 'a CYPHER <version> prefix is not supported by Neo4j 5.x');
    }
    // A `;` in the middle would make Neo4j reject (or graphsvc mis-split) the statement.
    if (symbolTables.length > 1) report(path, st.line, 0, 'more than one statement');
  }
}

console.log(`cypherlint: ${effective.size} files, ${errors} errors`);
process.exit(errors ? 1 : 0);
