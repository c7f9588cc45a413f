/**
 * A handshake flooder for the DoS tests, run as
 *   node dist/test/helpers/handshake-flood.js --targets H:P,H:P --rate 150 --hold 3
 * It sends well-formed hellos (made by the real HandshakeInitiator, framed by the real
 * encoder) as fast as `rate` new connections a second across the targets, echoes a cookie
 * when asked (as an honest initiator would, so the cookie path costs it nothing), and drops
 * each connection once the responder has answered. Besides, it keeps `hold` connections per
 * target that get their reply and then never finish, re-opening each as the responder drops
 * it. Every second it reports on stdout: {"event":"flood", sent, replies, cookies, aborted}.
 */
import net from 'node:net';
import { parseArgs } from 'node:util';
import {
  COOKIE_LENGTH,
  HandshakeInitiator,
  concatBytes,
  generateIdentity,
  isCookieMessage,
} from '../../crypto/index.js';
import { FrameDecoder, encodeFrame } from '../../p2p/signaling/framing.js';

const FRAME_HANDSHAKE = 1;
const FRAME_ABORT = 3;
/** Beyond this many open flood connections per target, a tick skips its new ones. */
const MAX_IN_FLIGHT = 64;

const counts = { sent: 0, replies: 0, cookies: 0, aborted: 0 };
let stopping = false;

/** Hellos are costly to make and free to resend: a few distinct ones, reused. */
const hellos = Array.from({ length: 8 }, () => new HandshakeInitiator(generateIdentity()).start());

function frame(kind: number, body: Uint8Array): Buffer {
  return Buffer.from(encodeFrame(concatBytes(Uint8Array.of(kind), body)));
}

/** One attacking connection; `hold` keeps it open after the reply instead of leaving. */
function attack(host: string, port: number, hold: boolean, done: () => void): void {
  const hello = hellos[counts.sent % hellos.length] ?? new Uint8Array();
  const socket = net.connect({ host, port });
  const decoder = new FrameDecoder();
  counts.sent++;
  socket.on('error', () => undefined);
  socket.once('close', done);
  socket.once('connect', () => socket.write(frame(FRAME_HANDSHAKE, hello)));
  socket.on('data', (chunk: Buffer) => {
    let frames: Uint8Array[];
    try {
      frames = decoder.push(new Uint8Array(chunk));
    } catch {
      socket.destroy();
      return;
    }
    for (const received of frames) {
      const body = received.subarray(1);
      if (received[0] === FRAME_ABORT) {
        counts.aborted++;
        socket.destroy();
      } else if (isCookieMessage(body)) {
        counts.cookies++;
        const cookie = body.subarray(body.length - COOKIE_LENGTH);
        socket.write(frame(FRAME_HANDSHAKE, concatBytes(hello, cookie)));
      } else {
        counts.replies++;
        if (!hold) socket.destroy();
      }
    }
  });
}

function holdOpen(host: string, port: number): void {
  if (stopping) return;
  attack(host, port, true, () => setTimeout(() => holdOpen(host, port), 100));
}

function main(): void {
  const { values } = parseArgs({
    options: {
      targets: { type: 'string' },
      rate: { type: 'string', default: '150' },
      hold: { type: 'string', default: '3' },
    },
  });
  const targets = (values.targets ?? '').split(',').map((target) => {
    const [host = '', port = ''] = target.split(':');
    return { host, port: Number(port), inFlight: 0 };
  });
  const rate = Number(values.rate);
  for (const target of targets) {
    for (let i = 0; i < Number(values.hold); i++) holdOpen(target.host, target.port);
  }
  // Ticks of 20 ms spread the rate evenly; what a late tick owes and fractions carry over.
  let owed = 0;
  let next = 0;
  let last = Date.now();
  const ticker = setInterval(() => {
    const now = Date.now();
    owed = Math.min(owed + (rate * (now - last)) / 1000, rate);
    last = now;
    for (; owed >= 1; owed--) {
      const target = targets[next++ % targets.length];
      if (!target || target.inFlight >= MAX_IN_FLIGHT) continue;
      target.inFlight++;
      attack(target.host, target.port, false, () => target.inFlight--);
    }
  }, 20);
  const reporter = setInterval(() => {
    process.stdout.write(`${JSON.stringify({ event: 'flood', ...counts })}\n`);
  }, 1000);
  const shutdown = (): void => {
    stopping = true;
    clearInterval(ticker);
    clearInterval(reporter);
    process.exit(0);
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  process.stdin.on('end', shutdown);
  process.stdin.resume();
}

main();
