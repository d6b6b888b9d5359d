// The part of `npm run build` that tsc does not do: the files the compiled code reads at run time,
// copied to the same place under dist/ — the codec's dialects (src/codec/dialects)
// and every Lua script (src/**/*.lua, read next to the module that declares it; src/redis/scripts.ts;
// and the load benchmark's floor server's, bench/load/floor.lua);
// then the stamp scripts/build-if-stale.mjs compares the sources with: this build is complete.
import { cpSync, statSync, writeFileSync } from 'node:fs';

cpSync('src/codec/dialects', 'dist/src/codec/dialects', { recursive: true });
const lua = (path) => path.endsWith('.lua') || statSync(path).isDirectory();
cpSync('src', 'dist/src', { recursive: true, filter: lua });
cpSync('bench/load', 'dist/bench/load', { recursive: true, filter: lua });
writeFileSync('dist/.build-stamp', `${new Date().toISOString()}\n`);
