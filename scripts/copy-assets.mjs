// The part of `npm run build` that tsc does not do: the files the compiled code reads at run time,
// copied from src/ to the same place under dist/src/ — the codec's dialects (src/codec/dialects)
// and every Lua script (src/**/*.lua, read next to the module that declares it; src/redis/scripts.ts);
// then the stamp scripts/build-if-stale.mjs compares the sources with: this build is complete.
import { cpSync, statSync, writeFileSync } from 'node:fs';

cpSync('src/codec/dialects', 'dist/src/codec/dialects', { recursive: true });
cpSync('src', 'dist/src', { recursive: true, filter: (path) => path.endsWith('.lua') || statSync(path).isDirectory() });
writeFileSync('dist/.build-stamp', `${new Date().toISOString()}\n`);
