/**
 * The Lua lives in .lua files, declared through the registry (src/redis/scripts.ts): no Lua in a
 * .ts file under src/, no defineCommand (scripts go by src/redis/script-call.ts), no .lua file indexing KEYS or ARGV
 * by number, and a .lua file reading ARGV by a computed index only where each script using it
 * declares its tail. Every .lua file under src/ belongs to a script.
 */
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { definedScripts } from '../../src/redis/scripts.js';
// The modules that declare scripts (importing them defines the scripts).
import '../../src/card/card-register.js';
import '../../src/card/card-transactions.js';
import '../../src/card/offline-advices.js';
import '../../src/card/card-booking.js';
import '../../src/card/issuer-scripts.js';
import '../../src/card/card-watch.js';
import '../../src/monitoring/terminal-trials.js';
import '../../src/journal/journal.js';
import '../../src/terminal-state/last-approved.js';
import '../../src/terminal-state/ksn-counters.js';
import '../../src/clearing/delivery-ledger.js';
import '../../src/blocking/offline-block-list.js';
import '../../src/faults/injector.js';
import '../../src/disputes/dispute-store.js';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name), ext) : e.name.endsWith(ext) ? [join(dir, e.name)] : [],
  );
}

const withoutComments = (lua: string): string => lua.replace(/--.*$/gm, '');

t.test('no Lua in .ts files under src/; scripts sent by script-call.ts only, never by defineCommand', async (t) => {
  const files = filesUnder(SRC, '.ts');
  t.ok(files.length > 50, `${files.length} .ts files read`);
  const luaCalls = files.filter((f) => /redis\.call\(\s*['"]/.test(readFileSync(f, 'utf8')));
  t.same(
    luaCalls.map((f) => relative(SRC, f)),
    [],
    'no .ts file has redis.call(\' or redis.call("',
  );
  const defines = files.filter((f) => /\bdefineCommand\s*\(/.test(readFileSync(f, 'utf8')));
  t.same(
    defines.map((f) => relative(SRC, f)),
    [],
    'no defineCommand: its command copies the arguments with flat() (script-call.ts)',
  );
  const commands = files.filter((f) => /\bextends\s+Command\b/.test(readFileSync(f, 'utf8')));
  t.same(
    commands.map((f) => relative(SRC, f)),
    [join('redis', 'script-call.ts')],
    "one command class of the switch's own",
  );
});

t.test('no .lua file indexes KEYS or ARGV by number; ARGV by a computed index only for a declared tail', async (t) => {
  const files = filesUnder(SRC, '.lua');
  t.ok(files.length >= 20, `${files.length} .lua files`);
  const scripts = definedScripts();
  t.equal(scripts.length, 33, 'the switch has 33 scripts');
  for (const file of files) {
    const code = withoutComments(readFileSync(file, 'utf8'));
    const name = relative(SRC, file);
    t.notMatch(code, /\b(?:KEYS|ARGV)\s*\[\s*\d/, `${name}: no KEYS[n] or ARGV[n]`);
    t.notMatch(code, /\bunpack\s*\(\s*(?:KEYS|ARGV)\s*,\s*\d/, `${name}: no unpack(ARGV, n)`);
    t.notMatch(code, /\bKEYS\b/, `${name}: KEYS by name only`);
    const users = scripts.filter((s) => s.files.some((u) => u.href === pathToFileURL(file).href));
    t.ok(users.length > 0, `${name} belongs to a script (${users.map((s) => s.name).join(', ')})`);
    if (/\bARGV\b/.test(code)) {
      t.same(
        users.filter((s) => s.rest === undefined).map((s) => s.name),
        [],
        `${name} reads the tail of ARGV: each script using it declares one`,
      );
    }
  }
});
