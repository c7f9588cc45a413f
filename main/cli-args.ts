import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { validateFilters } from './media/filters.js';
import type { SourceSpec, VideoSettings } from './media/settings.js';
import { parseResolution, parseSourceSpec, validateSettings } from './media/settings.js';

export interface HeadlessArgs {
  name: string;
  dataDir: string;
  port: number;
  autoAccept: boolean;
  logLevel: string | undefined;
  source: SourceSpec;
  settings: VideoSettings;
  filters: string[];
  frameEvents: boolean;
}

export const USAGE = `usage: meshcall headless [--name NAME] [--data-dir DIR] [--port N] [--auto-accept]
         [--source camera:N|file:PATH|pattern] [--resolution WxH] [--fps N] [--filters a,b]
         [--frame-events] [--log-level debug|info|warn|error]

Runs a meshcall node with no user interface: one JSON command per line on stdin,
one JSON event per line on stdout, logs on stderr.`;

export function defaultDataDir(): string {
  const base = process.env.XDG_DATA_HOME ?? path.join(os.homedir(), '.local', 'share');
  return path.join(base, 'meshcall');
}

/** Throws an Error with a readable message on bad arguments. */
export function parseHeadlessArgs(argv: string[]): HeadlessArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      name: { type: 'string' },
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      'auto-accept': { type: 'boolean', default: false },
      'log-level': { type: 'string' },
      source: { type: 'string', default: 'camera:0' },
      resolution: { type: 'string', default: '640x480' },
      fps: { type: 'string', default: '30' },
      filters: { type: 'string', default: '' },
      'frame-events': { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be a number from 0 to 65535, got ${values.port ?? ''}`);
  }
  const name = (values.name ?? os.hostname()).trim();
  if (name.length < 1 || name.length > 64) throw new Error('--name must be 1 to 64 characters');
  const size = parseResolution(values.resolution ?? '640x480');
  const filters = (values.filters ?? '')
    .split(',')
    .map((filter) => filter.trim())
    .filter((filter) => filter.length > 0);
  return {
    name,
    dataDir: path.resolve(values['data-dir'] ?? defaultDataDir()),
    port,
    autoAccept: values['auto-accept'] ?? false,
    logLevel: values['log-level'],
    source: parseSourceSpec(values.source ?? 'camera:0'),
    settings: validateSettings({ ...size, fps: Number(values.fps ?? '30') }),
    filters: validateFilters(filters),
    frameEvents: values['frame-events'] ?? false,
  };
}
