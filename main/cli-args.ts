import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { AudioSourceSpec } from './audio/sources.js';
import { parseAudioSource } from './audio/sources.js';
import { validateFilters } from './media/filters.js';
import { MAX_NAME_LENGTH, displayNameSchema } from '../protocol/profile-api.js';
import type { SourceSpec, VideoSettings } from './media/settings.js';
import type { VideoCodec } from './media/capture-protocol.js';
import { parseResolution, parseSourceSpec, validateSettings } from './media/settings.js';

/** What every way of running a node takes (headless, the app in a browser or in Electron). */
export interface NodeArgs {
  name: string;
  /** False when --name was left out: a name chosen in the interface then wins (profile-store.ts). */
  nameGiven?: boolean;
  dataDir: string;
  port: number;
  autoAccept: boolean;
  logLevel: string | undefined;
  source: SourceSpec;
  settings: VideoSettings;
  filters: string[];
  audioSource: AudioSourceSpec;
  /** How our video is encoded: h264 (simulcast layers, the default) or jpeg. */
  codec: VideoCodec;
}

export interface HeadlessArgs extends NodeArgs {
  frameEvents: boolean;
}

export interface AppArgs extends NodeArgs {
  /** Use the browser bridge even where Electron could run. */
  web: boolean;
  /** The browser bridge's HTTP port on 127.0.0.1; 0 picks a free one. */
  uiPort: number;
  /** Open the page in the user's browser (browser mode, when there is a display). */
  open: boolean;
}

const NODE_OPTIONS_USAGE = `[--name NAME] [--data-dir DIR] [--port N] [--auto-accept]
         [--source camera:N|file:PATH|pattern] [--resolution WxH] [--fps N] [--filters a,b]
         [--codec h264|jpeg]
         [--audio-source tone:HZ|file:PATH.wav|none|ui] [--log-level debug|info|warn|error]`;

export const USAGE = `usage: meshcall headless ${NODE_OPTIONS_USAGE} [--frame-events]

Runs a meshcall node with no user interface: one JSON command per line on stdin,
one JSON event per line on stdout, logs on stderr.`;

export const APP_USAGE = `usage: meshcall [app] ${NODE_OPTIONS_USAGE}
         [--web] [--ui-port N] [--no-open]

Starts the desktop app: in Electron where it is installed and there is a display,
otherwise (or with --web) in your browser, through a page served on 127.0.0.1 whose
address is printed as "meshcall ui URL".`;

export function defaultDataDir(): string {
  const base = process.env.XDG_DATA_HOME ?? path.join(os.homedir(), '.local', 'share');
  return path.join(base, 'meshcall');
}

const NODE_OPTIONS = {
  name: { type: 'string' },
  'data-dir': { type: 'string' },
  port: { type: 'string' },
  'auto-accept': { type: 'boolean', default: false },
  'log-level': { type: 'string' },
  source: { type: 'string', default: 'camera:0' },
  resolution: { type: 'string', default: '640x480' },
  fps: { type: 'string', default: '30' },
  filters: { type: 'string', default: '' },
  codec: { type: 'string', default: 'h264' },
  // No default here: headless nodes start silent (`none`), the app with the page's microphone.
  'audio-source': { type: 'string' },
} as const;

interface NodeValues {
  name?: string;
  'data-dir'?: string;
  port?: string;
  'auto-accept'?: boolean;
  'log-level'?: string;
  source?: string;
  resolution?: string;
  fps?: string;
  filters?: string;
  codec?: string;
  'audio-source'?: string;
}

function parsePort(option: string, value: string | undefined): number {
  const port = value === undefined ? 0 : Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${option} must be a number from 0 to 65535, got ${value ?? ''}`);
  }
  return port;
}

function parseCodec(value: string): VideoCodec {
  if (value === 'h264' || value === 'jpeg') return value;
  throw new Error(`--codec must be h264 or jpeg, got ${value}`);
}

function nodeArgs(values: NodeValues, audioSource: 'none' | 'ui'): NodeArgs {
  const port = parsePort('--port', values.port);
  const name = (values.name ?? os.hostname()).trim();
  if (!displayNameSchema.safeParse(name).success) {
    throw new Error(`--name must be 1 to ${MAX_NAME_LENGTH} characters`);
  }
  const size = parseResolution(values.resolution ?? '640x480');
  const filters = (values.filters ?? '')
    .split(',')
    .map((filter) => filter.trim())
    .filter((filter) => filter.length > 0);
  return {
    name,
    nameGiven: values.name !== undefined,
    dataDir: path.resolve(values['data-dir'] ?? defaultDataDir()),
    port,
    autoAccept: values['auto-accept'] ?? false,
    logLevel: values['log-level'],
    source: parseSourceSpec(values.source ?? 'camera:0'),
    settings: validateSettings({ ...size, fps: Number(values.fps ?? '30') }),
    filters: validateFilters(filters),
    audioSource: parseAudioSource(values['audio-source'] ?? audioSource),
    codec: parseCodec(values.codec ?? 'h264'),
  };
}

/** Throws an Error with a readable message on bad arguments. */
export function parseHeadlessArgs(argv: string[]): HeadlessArgs {
  const { values } = parseArgs({
    args: argv,
    options: { ...NODE_OPTIONS, 'frame-events': { type: 'boolean', default: false } },
    strict: true,
    allowPositionals: false,
  });
  return { ...nodeArgs(values, 'none'), frameEvents: values['frame-events'] ?? false };
}

/** The options of `meshcall app` (the words after `app`). Throws like parseHeadlessArgs. */
export function parseAppArgs(argv: string[]): AppArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...NODE_OPTIONS,
      web: { type: 'boolean', default: false },
      'ui-port': { type: 'string' },
      'no-open': { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  return {
    ...nodeArgs(values, 'ui'),
    web: values.web ?? false,
    uiPort: parsePort('--ui-port', values['ui-port']),
    open: !(values['no-open'] ?? false),
  };
}
