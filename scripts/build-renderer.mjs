// Bundles the Preact interface (renderer/) into dist/renderer/{index.html, app.js, app.css}
// and the audio thread's module, audio-worklet.js (a file of its own: the CSP allows 'self'
// scripts only, so the page cannot hand the worklet a blob: or data: module).
// No inline scripts or styles: index.html loads both files, under a strict CSP.
// Usage: node scripts/build-renderer.mjs [--watch]
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'renderer');
const watch = process.argv.includes('--watch');

const common = {
  absWorkingDir: root,
  bundle: true,
  minify: !watch,
  sourcemap: true,
  logLevel: 'warning',
};

/** @type {import('esbuild').BuildOptions} */
const script = {
  ...common,
  entryPoints: ['renderer/main.tsx'],
  outfile: join(outdir, 'app.js'),
  format: 'iife',
  platform: 'browser',
  target: ['chrome120'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  tsconfig: 'tsconfig.renderer.json',
  define: { 'process.env.NODE_ENV': watch ? '"development"' : '"production"' },
};

/** @type {import('esbuild').BuildOptions} */
const worklet = {
  ...common,
  entryPoints: ['renderer/audio/worklet.ts'],
  outfile: join(outdir, 'audio-worklet.js'),
  // An AudioWorklet module is an ES module.
  format: 'esm',
  platform: 'browser',
  target: ['chrome120'],
  tsconfig: 'tsconfig.renderer.json',
};

/** @type {import('esbuild').BuildOptions} */
const styles = {
  ...common,
  entryPoints: ['renderer/styles/app.css'],
  outfile: join(outdir, 'app.css'),
  target: ['chrome120'],
};

async function copyStatic() {
  await mkdir(outdir, { recursive: true });
  for (const file of ['index.html', 'icon.svg']) {
    await copyFile(join(root, 'renderer', file), join(outdir, file));
  }
}

if (watch) {
  for (const options of [script, worklet, styles]) await (await esbuild.context(options)).watch();
  await copyStatic();
  process.stdout.write(`watching renderer/ → ${outdir}\n`);
} else {
  await Promise.all([esbuild.build(script), esbuild.build(worklet), esbuild.build(styles)]);
  await copyStatic();
}
