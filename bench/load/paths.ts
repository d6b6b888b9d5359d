/**
 * Where things are, whether this module runs compiled (dist/bench/load/*.js, `npm run bench`) or
 * from source through tsx (tests). The mixes and results stay in the source tree (bench/), which
 * the build does not copy; sibling modules (worker, echo server) and the switch's entry point
 * have the extension of the running file, and under tsx need its loader in the child.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

/** True when running from .ts sources (tsx); false when compiled into dist/. */
export const FROM_SOURCE = import.meta.url.endsWith('.ts');

/** The repository root: the nearest directory above this module holding package.json. */
export const ROOT = ((): string => {
  for (let dir = HERE; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${HERE}`);
  }
})();

export const MIXES_DIR = join(ROOT, 'bench', 'mixes');
export const RESULTS_DIR = join(ROOT, 'bench', 'results');

/** A module next to this one (worker, echo-server), with the running extension. */
export function siblingModule(name: string, fromSource = FROM_SOURCE): string {
  return fromSource ? join(ROOT, 'bench', 'load', `${name}.ts`) : join(ROOT, 'dist', 'bench', 'load', `${name}.js`);
}

/** Node arguments that run a module of this tree in a child process: tsx's loader when from source. */
export function nodeArgsFor(modulePath: string, fromSource = FROM_SOURCE): string[] {
  return fromSource ? ['--import', 'tsx', modulePath] : [modulePath];
}

/** The switch entry point matching this tree: dist/src/main.js, or src/main.ts from source. */
export function switchMain(fromSource = FROM_SOURCE): string {
  return fromSource ? join(ROOT, 'src', 'main.ts') : join(ROOT, 'dist', 'src', 'main.js');
}
