// The console's build: plain TypeScript modules, bundled by Vite into dist/console/, which the
// admin server serves (src/admin/console-routes.ts). No file is fetched from anywhere at run time.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    assetsInlineLimit: 0,
    // The admin server serves index.html and assets/<name>.<ext> only.
    assetsDir: 'assets',
  },
  logLevel: 'warn',
});
