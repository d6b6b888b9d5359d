/**
 * Writes src/codec/dialects/*.json from the public jPOS layout table (test/fixtures/jpos-dialects.tsv,
 * a copy of shared/dialects.tsv). Run it with `npx tsx scripts/generate-dialects.ts` after changing
 * the mapping in src/codec/jpos.ts; test/codec/dialects.test.ts checks the result field for field.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { ISO87_NAMES, dialectFromJpos, parseLayoutTable } from '../src/codec/jpos.js';

const DESCRIPTIONS: Record<string, string> = {
  iso87ascii: 'ISO 8583:1987, ASCII: field for field the public jPOS iso87ascii layout',
  iso93ascii: 'ISO 8583:1993, ASCII: field for field the public jPOS iso93ascii layout (the switch default)',
  iso93binary: 'ISO 8583:1993, binary (BCD numbers, raw bitmap): field for field the public jPOS iso93binary layout',
};

const table = parseLayoutTable(readFileSync(new URL('../test/fixtures/jpos-dialects.tsv', import.meta.url), 'utf8'));
for (const [name, column] of table) {
  const names = name === 'iso87ascii' ? { ...column.names, ...ISO87_NAMES } : column.names;
  const spec = dialectFromJpos({ name, description: DESCRIPTIONS[name] ?? name, cells: column.cells, names });
  writeFileSync(new URL(`../src/codec/dialects/${name}.json`, import.meta.url), JSON.stringify(spec, null, 2) + '\n');
  console.log(`wrote src/codec/dialects/${name}.json (${Object.keys(spec.fields).length} fields)`);
}
