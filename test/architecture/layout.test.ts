/**
 * The layout's promises (docs/ARCHITECTURE.md): no import cycle between the folders of src/ (type-only
 * imports count too), no .ts file in src/ over 400 lines (no Lua inside a .ts file:
 * test/redis/lua-files.test.ts).
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cycles, folderGraph, sourceFiles } from './imports.js';

const ROOT = join(import.meta.dirname, '..', '..');
const MAX_LINES = 400;

t.test('no folder-level import cycle under src/', async (t) => {
  const graph = folderGraph(ROOT);
  t.ok(graph.size > 10, `the graph has the folders (${[...graph.keys()].join(' ')})`);
  t.same(cycles(graph), [], 'no cycles');
});

t.test('the cycle finder finds a cycle, and one through three folders', async (t) => {
  const graph = new Map([
    ['a', new Set(['b'])],
    ['b', new Set(['c'])],
    ['c', new Set(['a'])],
    ['d', new Set(['a'])],
  ]);
  t.same(cycles(graph), [['a', 'b', 'c']]);
  graph.get('c')!.delete('a');
  t.same(cycles(graph), []);
});

t.test(`no file in src/ over ${MAX_LINES} lines`, async (t) => {
  const files = sourceFiles(ROOT);
  t.ok(files.length > 50, `${files.length} files read`);
  const long = files
    .map((f) => [f, readFileSync(join(ROOT, f), 'utf8').split('\n').length - 1] as const)
    .filter(([, n]) => n > MAX_LINES);
  t.same(long, [], 'files over the limit (file, lines)');
});
