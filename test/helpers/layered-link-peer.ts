/**
 * One member of a call for per-link layer tests, run as a child process inside a test host
 * (network namespace): a real Call over real PeerLinks (node-datachannel) to each other member
 * it is given, signals carried by the parent over stdin/stdout as JSON lines. Drives
 * synthetic H.264-shaped layered frames (the wire does not decode; real H.264 is the
 * capture's part) through the same Call API the node uses, with keyframes on request.
 *
 * Environment: LAYER_PEER = JSON {self, links: [{peer, offerer, sendKey, receiveKey (hex)}]}.
 * stdin: {signal: {peer, body}} | {start: {fps, seconds, bytes: [per layer]}} |
 * {report: {windowMs}}. stdout: {signal: {peer, body}} | {joined: peer} | {done: {...}} |
 * {report: {[peer]: figures}}.
 */
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';
import type { CallLink } from '../../p2p/call/call-link.js';
import type { LinkSignalBody } from '../../p2p/link/peer-link.js';
import type { LayerFrame } from '../../p2p/media/sender.js';
import { out, seededCall } from './peer-process.js';
import { member } from './stub-call.js';

interface LinkSetup {
  peer: number;
  offerer: boolean;
  sendKey: string;
  receiveKey: string;
}

const setup = JSON.parse(process.env['LAYER_PEER'] ?? '{}') as { self: number; links: LinkSetup[] };
const call = seededCall(setup.self);
const links = new Map<number, CallLink>();
const indexOf = new Map<string, number>();
for (const spec of setup.links) {
  const peer = member(spec.peer, `m${spec.peer}`);
  indexOf.set(peer.id, spec.peer);
  call.addMember(peer);
  const link = call.openLink({
    peerId: peer.id,
    offerer: spec.offerer,
    linkNumber: 0,
    session: {
      sendKey: Buffer.from(spec.sendKey, 'hex'),
      receiveKey: Buffer.from(spec.receiveKey, 'hex'),
      sessionId: new Uint8Array(32),
      peerPublicKey: peer.publicKey,
      peerId: peer.id,
    },
  });
  if (!link) throw new Error('no link');
  link.on('signal', (body) => out({ signal: { peer: spec.peer, body } }));
  links.set(spec.peer, link);
}
call.on('member-joined', (joined) => out({ joined: indexOf.get(joined.id) }));

/** What arrived from each member: every frame emitted, when, and on which stream. */
const arrivals = new Map<string, { at: number; stream: number; width: number }[]>();
/** Delta frames emitted whose predecessor on their stream was not: must stay 0. */
let chainViolations = 0;
const lastOf = new Map<string, number>();
/** Per member, the longest time between two frames emitted (a frozen picture). */
const maxGapMs = new Map<string, number>();
const gapEndedAt = new Map<string, { at: number; stream: number }>();
call.on('frame', (frame) => {
  const { stream, frameNumber, keyframe, width } = frame.meta;
  const previous = arrivals.get(frame.from)?.at(-1);
  if (previous) {
    const gap = frame.receivedAt - previous.at;
    if (gap > (maxGapMs.get(frame.from) ?? 0)) {
      maxGapMs.set(frame.from, gap);
      gapEndedAt.set(frame.from, { at: frame.receivedAt, stream });
    }
  }
  const key = `${frame.from}/${stream}`;
  if (!keyframe && lastOf.get(key) !== frameNumber - 1) chainViolations++;
  lastOf.set(key, frameNumber);
  const list = arrivals.get(frame.from) ?? [];
  list.push({ at: frame.receivedAt, stream, width });
  arrivals.set(frame.from, list);
});

const SIZES = [
  [1280, 720],
  [640, 360],
  [320, 180],
] as const;

/** Random bytes framed as an Annex B access unit, IDR or not. */
function accessUnit(keyframe: boolean, size: number): Uint8Array {
  const data = randomBytes(size);
  data.set([0, 0, 0, 1, keyframe ? 0x65 : 0x41]);
  return data;
}

/** Layered frames at a fixed rate and sizes; a keyframe on a layer when asked (next frame). */
function start(options: { fps: number; seconds: number; bytes: number[] }): void {
  const wanted = new Set<number>([0, 1, 2]);
  /** Keyframes asked for: [layer, ms since start]. */
  const forced: [number, number][] = [];
  const began = Date.now();
  call.on('keyframe-needed', ({ layer }) => {
    wanted.add(layer);
    forced.push([layer, Date.now() - began]);
  });
  let n = 0;
  const tick = (): void => {
    if (Date.now() - began >= options.seconds * 1000) {
      out({ done: { frames: n, forced, stats: call.mediaStats().sending } });
      return;
    }
    const layers: LayerFrame[] = SIZES.map(([width, height], layer) => {
      const keyframe = wanted.delete(layer);
      const size = (options.bytes[layer] ?? 1000) * (keyframe ? 3 : 1);
      return { layer, codec: 'h264', keyframe, width, height, data: accessUnit(keyframe, size) };
    });
    call.sendFrame({ frameNumber: n, captureTs: Date.now(), layers });
    n++;
    setTimeout(tick, Math.max(0, began + (n * 1000) / options.fps - Date.now()));
  };
  tick();
}

/** Per member: frames over the last `windowMs`, by stream, and the receiver's own figures. */
function report(windowMs: number): void {
  const now = Date.now();
  const figures: Record<string, unknown> = {};
  for (const stats of call.mediaStats().members) {
    const recent = (arrivals.get(stats.peer) ?? []).filter((a) => now - a.at <= windowMs);
    const byStream: Record<number, number> = {};
    for (const arrival of recent) byStream[arrival.stream] = (byStream[arrival.stream] ?? 0) + 1;
    figures[String(indexOf.get(stats.peer))] = {
      byStream,
      fps: (recent.length * 1000) / windowMs,
      layer: stats.layer,
      undecodable: stats.undecodable,
      keyframesRequested: stats.keyframesRequested,
      lost: stats.lost,
      rejected: stats.rejected,
      maxGapMs: maxGapMs.get(stats.peer) ?? null,
      /** When that gap ended (ms before this report) and on which stream. */
      gapEnded: ((g) => g && { msAgo: now - g.at, stream: g.stream })(gapEndedAt.get(stats.peer)),
      chainViolations,
    };
  }
  out({ report: figures });
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const message = JSON.parse(line) as {
    signal?: { peer: number; body: LinkSignalBody };
    start?: { fps: number; seconds: number; bytes: number[] };
    report?: { windowMs: number };
  };
  if (message.signal) links.get(message.signal.peer)?.handleSignal(message.signal.body);
  if (message.start) start(message.start);
  if (message.report) report(message.report.windowMs);
});
process.stdin.on('end', () => void call.close().then(() => process.exit(0)));
for (const link of links.values()) link.start();
