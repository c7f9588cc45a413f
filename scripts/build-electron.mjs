// Bundles the Electron preload to dist/electron/preload.cjs. A sandboxed preload cannot
// load ES modules or any file of ours: it must be one CommonJS file that requires only
// 'electron'. The main process needs no bundling (tsc compiles it to dist/main/electron).
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

await build({
  entryPoints: [join(root, 'main', 'electron', 'preload.ts')],
  outfile: join(root, 'dist', 'electron', 'preload.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'es2022',
  external: ['electron'],
  sourcemap: true,
  logLevel: 'warning',
});
