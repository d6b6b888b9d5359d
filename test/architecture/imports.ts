/**
 * The folder-level import graph of src/ (type-only imports included), for the architecture test:
 * which folders import which, and the cycles among them.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

/** Every .ts file below `dir`, as paths relative to `root`. */
export function sourceFiles(root: string, dir = 'src'): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(root, join(e.parentPath, e.name)));
}

/** A file's folder below src/: 'card' for src/card/scripts/x.ts, '.' for src/main.ts. */
export function folderOf(file: string): string {
  const parts = file.split('/').slice(1, -1);
  return parts[0] ?? '.';
}

/** Folder -> the folders its files import from (itself left out). */
export function folderGraph(root: string): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(root)) {
    const from = folderOf(file);
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    for (const m of readFileSync(join(root, file), 'utf8').matchAll(IMPORT)) {
      const target = relative(root, resolve(root, dirname(file), m[1]!));
      if (!target.startsWith('src/')) continue;
      const to = folderOf(target);
      if (to !== from) edges.add(to);
    }
  }
  return graph;
}

/** The strongly connected components with more than one folder: each is an import cycle. */
export function cycles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const info = new Map<string, { index: number; low: number; onStack: boolean }>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    const vi = { index, low: index, onStack: true };
    info.set(v, vi);
    index++;
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      const wi = info.get(w);
      if (wi === undefined) {
        visit(w);
        vi.low = Math.min(vi.low, info.get(w)!.low);
      } else if (wi.onStack) vi.low = Math.min(vi.low, wi.index);
    }
    if (vi.low !== vi.index) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      info.get(w)!.onStack = false;
      component.push(w);
    } while (w !== v);
    if (component.length > 1) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!info.has(v)) visit(v);
  return found;
}
