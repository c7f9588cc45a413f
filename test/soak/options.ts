/** `npm run soak -- [--minutes N] [--resolution WxH] [--fps N] [--rejoin-every S]` */
import { parseArgs } from 'node:util';

export interface SoakOptions {
  minutes: number;
  resolution: string;
  fps: number;
  /** One member leaves and is invited again this often, first at half of it. */
  rejoinEverySeconds: number;
}

export const SOAK_USAGE = `usage: npm run soak -- [--minutes N] [--resolution WxH] [--fps N] [--rejoin-every S]

Runs a three-member call in network namespaces (as root): test-pattern video, chat every
second from each member, one member leaving and being invited again every S seconds
(default 120), and samples each node's RSS, open descriptors and event-loop delay every
10 s. Defaults: --minutes 30 --resolution 320x240 --fps 15. Exits 1 when a goal is missed.`;

/** The figures every soak is sampled and judged by (the goals). */
export const SOAK = {
  sampleEveryMs: 10_000,
  chatEveryMs: 1_000,
  /** RSS growth is measured from here on: start-up, first links and caches settle before. */
  warmUpMs: 120_000,
  maxRssGrowth: 0.1,
  maxEventLoopDelayP99Ms: 50,
} as const;

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`${name} must be a positive number, got ${text}`);
  }
  return value;
}

/** Throws an Error with a readable message on bad arguments. */
export function parseSoakArgs(argv: string[]): SoakOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      minutes: { type: 'string' },
      resolution: { type: 'string' },
      fps: { type: 'string' },
      'rejoin-every': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const resolution = values.resolution ?? '320x240';
  if (!/^\d{2,4}x\d{2,4}$/.test(resolution)) {
    throw new Error(`--resolution must look like 320x240, got ${resolution}`);
  }
  const fps = positive('--fps', values.fps, 15);
  if (!Number.isInteger(fps) || fps > 60) throw new Error(`--fps must be 1 to 60, got ${fps}`);
  const rejoinEverySeconds = positive('--rejoin-every', values['rejoin-every'], 120);
  if (rejoinEverySeconds < 20) {
    throw new Error('--rejoin-every must be at least 20 s: a rejoin takes a few seconds');
  }
  return {
    minutes: positive('--minutes', values.minutes, 30),
    resolution,
    fps,
    rejoinEverySeconds,
  };
}
