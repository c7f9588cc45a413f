/**
 * The renderer's pure modules (frame decoding, the store's reducer, validation...) for unit
 * tests under Node. They are bundled with esbuild at run time rather than compiled by the
 * root tsconfig, so that nothing of renderer/ lands in dist/renderer next to the real bundle;
 * renderer/ itself is type-checked by tsconfig.renderer.json.
 */
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { repoRoot } from '../helpers/json-lines-process.js';

/** Bundles `exports` (module path under renderer/ → names) into one ES module and imports it. */
export async function loadRenderer<T>(modules: Record<string, string[]>): Promise<T> {
  const contents = Object.entries(modules)
    .map(([file, names]) => `export { ${names.join(', ')} } from './renderer/${file}';`)
    .join('\n');
  const result = await esbuild.build({
    stdin: { contents, resolveDir: repoRoot(), loader: 'ts', sourcefile: 'renderer-under-test.ts' },
    absWorkingDir: repoRoot(),
    tsconfig: join(repoRoot(), 'tsconfig.renderer.json'),
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    // 'neutral' reads no package.json entry fields by default; packages like subsrt-ts name
    // theirs only in `main`.
    mainFields: ['module', 'main'],
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.text ?? '';
  return (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)) as T;
}
