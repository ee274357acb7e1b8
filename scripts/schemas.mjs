#!/usr/bin/env node
// Writes schemas/*.schema.json (JSON Schema 2020-12) from the shapes in src/core/export (envelope.ts,
// report-validate.ts): the schema people validate our output against is the check the page itself runs.
//   node scripts/schemas.mjs          write them
//   node scripts/schemas.mjs --check  exit 1 when a committed schema differs from the shapes (the tests run this)
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { jsonSchemas } = await tsImport(path.join(root, 'src/core/export/envelope.ts'), import.meta.url);
const check = process.argv.includes('--check');
const dir = path.join(root, 'schemas');
mkdirSync(dir, { recursive: true });
let stale = 0;
for (const [name, schema] of Object.entries(jsonSchemas())) {
  const file = path.join(dir, name);
  const text = `${JSON.stringify(schema, null, 2)}\n`;
  if (check) {
    if (!existsSync(file) || readFileSync(file, 'utf8') !== text) {
      console.log(`schemas/${name} differs from the shapes in src/core/export: run node scripts/schemas.mjs`);
      stale++;
    }
  } else {
    writeFileSync(file, text);
    console.log(`schemas/${name}: ${text.length} bytes`);
  }
}
process.exit(stale ? 1 : 0);
