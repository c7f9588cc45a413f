/**
 * One side of a call for voice-under-congestion tests, run as a child process inside a test
 * host (network namespace): a real Call over a real PeerLink (node-datachannel), with the
 * link's signals carried by the parent over stdin/stdout as JSON lines. Test-only, because
 * the headless node's own audio source is another part's work: this drives synthetic
 * Opus-shaped voice packets through the same Call API the node uses.
 *
 * Environment: VOICE_PEER = JSON {self, peer (identity seeds), offerer, sendKey, receiveKey
 * (hex)}. stdin: {signal} | {start: {fps, frameBytes, seconds}} | {report: {expect, waitMs}}. stdout:
 * {signal} | {joined} | {done: sender figures} | {report: receiver figures}.
 */
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';
import type { LinkSignalBody } from '../../p2p/link/peer-link.js';
import { out, seededCall } from './peer-process.js';
import { member } from './stub-call.js';

interface Setup {
  self: number;
  peer: number;
  offerer: boolean;
  sendKey: string;
  receiveKey: string;
}

const setup = JSON.parse(process.env['VOICE_PEER'] ?? '{}') as Setup;
const call = seededCall(setup.self);
const peer = member(setup.peer, `m${setup.peer}`);
call.addMember(peer);
const link = call.openLink({
  peerId: peer.id,
  offerer: setup.offerer,
  linkNumber: 0,
  session: {
    sendKey: Buffer.from(setup.sendKey, 'hex'),
    receiveKey: Buffer.from(setup.receiveKey, 'hex'),
    sessionId: new Uint8Array(32),
    peerPublicKey: peer.publicKey,
    peerId: peer.id,
  },
});
if (!link) throw new Error('no link');
link.on('signal', (signal) => out({ signal }));
call.on('member-joined', () => out({ joined: true }));

const delays: number[] = [];
const seqs = new Set<number>();
let frames = 0;
call.on('voice', (voice) => {
  seqs.add(voice.header.seq);
  delays.push(voice.receivedAt - voice.header.captureTs);
});
call.on('frame', () => frames++);

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
}

/** Random bytes framed as a JPEG (SOI … EOI): the sender checks no more than that. */
function jpegShaped(size: number): Uint8Array {
  const bytes = randomBytes(size);
  bytes.set([0xff, 0xd8], 0);
  bytes.set([0xff, 0xd9], size - 2);
  return bytes;
}

/** Video at a fixed rate and size (never adapting: the worst case) and voice every 20 ms. */
function start(options: { fps: number; frameBytes: number; seconds: number }): void {
  const began = Date.now();
  const end = began + options.seconds * 1000;
  let frameNumber = 0;
  const video = setInterval(() => {
    call.sendFrame({
      frameNumber: ++frameNumber,
      captureTs: Date.now(),
      width: 640,
      height: 480,
      jpeg: jpegShaped(options.frameBytes),
    });
  }, 1000 / options.fps);
  let n = 0;
  // Deadline-based 20 ms clock, as a capture clock would run.
  const tick = (): void => {
    if (Date.now() >= end) {
      clearInterval(video);
      out({ done: { voiceSent: n, framesSent: frameNumber, stats: call.mediaStats().sending } });
      return;
    }
    call.sendVoice({
      voice: true,
      level: 20,
      position: (n * 960) >>> 0,
      samples: 960,
      captureTs: Date.now(),
      opus: randomBytes(80),
    });
    n++;
    setTimeout(tick, Math.max(0, began + n * 20 - Date.now()));
  };
  tick();
}

/** Reports once `expect` packets are in, or after `waitMs`, whichever comes first. */
function awaitReport(request: { expect: number; waitMs: number }): void {
  const report = (): void => {
    clearTimeout(timer);
    call.off('voice', check);
    out({
      report: {
        voiceReceived: seqs.size,
        delayP50Ms: percentile(delays, 50),
        delayP95Ms: percentile(delays, 95),
        delayMaxMs: percentile(delays, 100),
        frames,
      },
    });
  };
  const check = (): void => {
    if (seqs.size >= request.expect) report();
  };
  const timer = setTimeout(report, request.waitMs);
  call.on('voice', check);
  check();
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const message = JSON.parse(line) as {
    signal?: LinkSignalBody;
    start?: { fps: number; frameBytes: number; seconds: number };
    report?: { expect: number; waitMs: number };
  };
  if (message.signal) link.handleSignal(message.signal);
  if (message.start) start(message.start);
  if (message.report) awaitReport(message.report);
});
process.stdin.on('end', () => void call.close().then(() => process.exit(0)));
link.start();
