// `npm run <command>` runs this before the command: it builds dist/ (npm run build) only when a
// source file is newer than the last build, so `npm start -- --help` or a second `npm start`
// answers at once instead of waiting 10-20 s for tsc. The stamp is written by the build's last
// step (scripts/copy-assets.mjs), so a failed build leaves the old one and the next run builds again.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const STAMP = 'dist/.build-stamp';
// What `npm run build` reads: tsconfig.build.json's include, the console (Vite), the copied assets, the compiler settings.
const INPUTS = [
  'src',
  'terminals',
  'bench',
  'scripts',
  'console',
  'tsconfig.json',
  'tsconfig.build.json',
  'package-lock.json',
];
const SKIP = new Set(['node_modules', 'results']);

/** The newest modification time under `path` (ms), 0 when it does not exist. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let latest = s.mtimeMs;
  for (const entry of readdirSync(path)) if (!SKIP.has(entry)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

const built = existsSync(STAMP) ? statSync(STAMP).mtimeMs : 0;
const changed = Math.max(...INPUTS.map(newest));
if (changed > built) {
  process.stderr.write(built === 0 ? 'building dist/ (first run)…\n' : 'sources changed: building dist/…\n');
  try {
    execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  } catch {
    process.exit(1);
  }
}
