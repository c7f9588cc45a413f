/**
 * The built renderer (dist/renderer) as both shells serve it: the browser bridge over HTTP,
 * the Electron shell through its custom protocol. Only regular files inside the folder are
 * served; no listings, no dotfiles, no way out of it.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

export type StaticResult =
  { status: 200; body: Buffer; contentType: string } | { status: 400 | 404; reason: string };

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.webmanifest': 'application/manifest+json',
};

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

// Shown instead of the interface when dist/renderer has not been built (a fresh checkout
// where only the TypeScript was compiled): the node still runs and says what is missing.
const PLACEHOLDER = Buffer.from(
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>meshcall</title></head>' +
    '<body><h1>meshcall</h1><p>The interface is not built. Run <code>npm run build</code> ' +
    'and reload this page.</p></body></html>',
);

/**
 * Splits the path of a request target into decoded segments; null when it tries to leave
 * the folder or cannot be decoded. Checked on the raw target, before anything normalises
 * `..` (or `%2e%2e`) away, so such a request is refused rather than quietly rewritten.
 */
function segmentsOf(rawPath: string): string[] | null {
  if (!rawPath.startsWith('/')) return null;
  const segments: string[] = [];
  for (const raw of rawPath.slice(1).split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (segment === '.' || segment === '..' || /[/\\\0]/.test(segment)) return null;
    segments.push(segment);
  }
  return segments;
}

function isInside(root: string, file: string): boolean {
  return file.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

/** `rawPath` is the path of the request target, still percent-encoded, without the query. */
export async function readStaticFile(root: string, rawPath: string): Promise<StaticResult> {
  const segments = segmentsOf(rawPath);
  if (segments === null) return { status: 400, reason: 'bad path' };
  const isIndex = segments.length === 1 && (segments[0] === '' || segments[0] === 'index.html');
  const names = isIndex ? ['index.html'] : segments;
  // Empty segments mean a directory (or `//`): there are no listings. Dotfiles stay private.
  if (names.some((name) => name === '' || name.startsWith('.'))) {
    return { status: 404, reason: 'not found' };
  }
  const base = path.resolve(root);
  const file = path.join(base, ...names);
  if (!isInside(base, file)) return { status: 400, reason: 'bad path' };
  try {
    // A symbolic link inside the folder must not lead out of it either.
    const [realBase, realFile] = await Promise.all([realpath(base), realpath(file)]);
    if (!isInside(realBase, realFile)) return { status: 404, reason: 'not found' };
    if (!(await stat(realFile)).isFile()) return { status: 404, reason: 'not found' };
    return { status: 200, body: await readFile(realFile), contentType: contentTypeOf(file) };
  } catch {
    if (isIndex) {
      return { status: 200, body: PLACEHOLDER, contentType: contentTypeOf('index.html') };
    }
    return { status: 404, reason: 'not found' };
  }
}
