import assert from 'node:assert/strict';
import type { EncodeTarget } from '../../p2p/media/quality-controller.js';
import { OwnMediaKey, PeerMediaKeys } from '../../p2p/media/keys.js';
import type { ReceivedFrame } from '../../p2p/media/receiver.js';
import { MediaReceiver } from '../../p2p/media/receiver.js';
import type { LayeredFrame, OutgoingFrame, SendTarget } from '../../p2p/media/sender.js';
import { MediaSender } from '../../p2p/media/sender.js';

let linkCount = 0;

/** The three members of a link (PacedTarget) the sender touches. */
class StubLink {
  readonly peerId = `member-${++linkCount}`;
  state: 'connecting' | 'open' | 'closed' = 'open';
  mediaBufferedAmount = 0;
  readonly sent: Uint8Array[] = [];

  sendMedia(chunk: Uint8Array): boolean {
    this.sent.push(chunk);
    return true;
  }

  /** The chunks sent since the last call. */
  take(): Uint8Array[] {
    return this.sent.splice(0);
  }
}

/** Each link as the member behind it (the sender keeps per-member state). */
function asLinks(...links: StubLink[]): SendTarget[] {
  return links.map((link) => ({ peerId: link.peerId, link }));
}

const T0 = 1_700_000_000_000;
/** Large enough to take three 16 KiB chunks, so losing or reordering one means something. */
const JPEG_BYTES = 40_000;

function fakeJpeg(seed: number, size = JPEG_BYTES): Uint8Array {
  const jpeg = Uint8Array.from({ length: size }, (_, i) => (i * 31 + seed * 17) & 0xff);
  jpeg.set([0xff, 0xd8], 0);
  jpeg.set([0xff, 0xd9], size - 2);
  return jpeg;
}

function outgoing(frameNumber: number, size = JPEG_BYTES): OutgoingFrame {
  return {
    frameNumber,
    captureTs: T0 + frameNumber * 40,
    width: 320,
    height: 240,
    jpeg: fakeJpeg(frameNumber, size),
  };
}

/** Frame `n` as a one-layer JPEG frame on layer `stream`. */
function layered(n: number, size = JPEG_BYTES, stream = 0): LayeredFrame {
  const { captureTs, width, height, jpeg: data } = outgoing(n, size);
  const layer = { layer: stream, codec: 'jpeg', keyframe: true, width, height, data } as const;
  return { frameNumber: n, captureTs, layers: [layer] };
}

interface Pair {
  key: OwnMediaKey;
  sender: MediaSender;
  receiver: MediaReceiver;
  keys: PeerMediaKeys;
  link: StubLink;
  frames: ReceivedFrame[];
  /**
   * Seals frame `n` of `stream` (sent at its capture time + 10 ms) and returns its chunks.
   * The sender numbers each stream's frames itself, so frames up to `n` are sealed and sent
   * nowhere first.
   */
  send(n: number, size?: number, stream?: number): Uint8Array[];
  push(chunks: Uint8Array[], now?: number): void;
}

function pair(options: { announce?: boolean; clockOffset?: number | null } = {}): Pair {
  const key = new OwnMediaKey();
  const sender = new MediaSender(key, T0);
  const offset = options.clockOffset === undefined ? 0 : options.clockOffset;
  const keys = new PeerMediaKeys();
  const receiver = new MediaReceiver('sender-id', keys, () => offset);
  if (options.announce !== false) keys.add(key.announcement());
  const link = new StubLink();
  const frames: ReceivedFrame[] = [];
  receiver.on('frame', (frame) => frames.push(frame));
  const next = new Map<number, number>();
  return {
    key,
    sender,
    receiver,
    keys,
    link,
    frames,
    send(n, size, stream = 0) {
      for (let skip = next.get(stream) ?? 0; skip < n; skip++) {
        sender.send(layered(skip, size, stream), []);
      }
      next.set(stream, n + 1);
      const frame = layered(n, size, stream);
      sender.send(frame, asLinks(link), frame.captureTs + 10);
      return link.take();
    },
    push(chunks, now = T0 + 1000) {
      for (const chunk of chunks) receiver.push(chunk, now);
    },
  };
}

function frameNumbers(frames: readonly ReceivedFrame[]): number[] {
  return frames.map((frame) => frame.meta.frameNumber);
}

describe('MediaSender and MediaReceiver', () => {
  const receivers: MediaReceiver[] = [];
  afterEach(() => {
    for (const receiver of receivers.splice(0)) receiver.close();
  });
  function track(p: Pair): Pair {
    receivers.push(p.receiver);
    return p;
  }

  it('carries frames through sealing and chunking, bytes and metadata intact', () => {
    const p = track(pair());
    const chunks = p.send(1);
    assert.equal(chunks.length, 3, 'a 40 kB frame takes three chunks');
    const now = T0 + 1000;
    p.push(chunks, now);
    assert.equal(p.frames.length, 1);
    const [frame] = p.frames;
    assert.ok(frame);
    assert.equal(frame.from, 'sender-id');
    assert.deepEqual(frame.meta, {
      stream: 0,
      frameNumber: 1,
      captureTs: T0 + 40,
      width: 320,
      height: 240,
      codec: 'jpeg',
      keyframe: true,
    });
    assert.deepEqual(frame.data, fakeJpeg(1));
    assert.equal(frame.receivedAt, now);
    assert.equal(frame.latencyMs, now - (T0 + 40));
    assert.equal(p.receiver.latest, frame);
    // The JPEG is not on the wire in the clear.
    const wire = Buffer.concat(chunks);
    assert.equal(wire.indexOf(Buffer.from(fakeJpeg(1).subarray(100, 132))), -1);
  });

  it('corrects latency by the clock offset, and has none without one', () => {
    const ahead = track(pair({ clockOffset: 25 }));
    ahead.push(ahead.send(1), T0 + 1000);
    assert.equal(ahead.frames[0]?.latencyMs, T0 + 1000 - (T0 + 40 - 25));
    const unknown = track(pair({ clockOffset: null }));
    unknown.push(unknown.send(1));
    assert.equal(unknown.frames.length, 1);
    assert.equal(unknown.frames[0]?.latencyMs, null);
    assert.equal(unknown.receiver.stats(T0 + 1000).latencyP50Ms, null);
  });

  it('drops a frame that lost a chunk, never delivers it in part, and later frames arrive', () => {
    const p = track(pair());
    p.push(p.send(1));
    const second = p.send(2);
    p.push([second[0]!, second[2]!]);
    assert.deepEqual(frameNumbers(p.frames), [1]);
    p.push(p.send(3));
    p.push(p.send(4));
    assert.deepEqual(frameNumbers(p.frames), [1, 3, 4]);
    const stats = p.receiver.stats(T0 + 1000);
    assert.equal(stats.received, 3);
    assert.equal(stats.lost, 1);
    assert.equal(stats.rejected, 0);
    // The missing chunk turning up late does not resurrect the frame.
    p.push([second[1]!]);
    assert.deepEqual(frameNumbers(p.frames), [1, 3, 4]);
  });

  it('drops a frame that lost its chunks after a delay (stale), then carries on', () => {
    const p = track(pair());
    const first = p.send(1);
    p.push(first.slice(0, 2), T0 + 1000);
    // Half a second later the reassembler gives up on it; the next frame still arrives.
    p.push(p.send(2), T0 + 1600);
    p.push(first.slice(2), T0 + 1600);
    assert.deepEqual(frameNumbers(p.frames), [2]);
    assert.equal(p.receiver.stats(T0 + 1600).lost, 1);
  });

  it('reassembles chunks in any order within and across frames', () => {
    const p = track(pair());
    p.push(p.send(1).reverse());
    const a = p.send(2);
    const b = p.send(3);
    // Interleaved; frame 2 completes before frame 3.
    p.push([b[1]!, a[2]!, a[0]!, b[0]!, a[1]!, b[2]!]);
    assert.deepEqual(frameNumbers(p.frames), [1, 2, 3]);
    assert.deepEqual(p.frames[1]?.data, fakeJpeg(2));
    assert.deepEqual(p.frames[2]?.data, fakeJpeg(3));
    assert.equal(p.receiver.stats(T0 + 1000).lost, 0);
  });

  it('never goes back in time: a frame completing after a newer one is counted lost', () => {
    const p = track(pair());
    const older = p.send(1);
    const newer = p.send(2);
    p.push([older[0]!, ...newer, older[1]!, older[2]!]);
    assert.deepEqual(frameNumbers(p.frames), [2]);
    assert.equal(p.receiver.stats(T0 + 1000).lost, 1);
  });

  it('delivers a frame once, however often its chunks arrive', () => {
    const p = track(pair());
    const chunks = p.send(1);
    p.push(chunks);
    p.push(chunks);
    p.push([chunks[0]!, chunks[0]!]);
    assert.deepEqual(frameNumbers(p.frames), [1]);
    assert.equal(p.receiver.stats(T0 + 1000).received, 1);
  });

  it('rejects and counts a frame under a key it was never given', () => {
    const p = track(pair({ announce: false }));
    p.push(p.send(1));
    assert.deepEqual(p.frames, []);
    assert.equal(p.receiver.stats(T0 + 1000).rejected, 1);
    assert.equal(p.receiver.latest, null);
  });

  it('follows key rotation: the previous key still opens, anything older is refused', () => {
    const p = track(pair());
    // Sealed now under the first key, delivered last, on a stream of its own: nothing newer
    // arrived on that stream, so only the key can stop it.
    const underFirstKey = p.send(20, JPEG_BYTES, 1);
    const firstKeyId = p.sender.stats(T0).keyId;
    assert.equal(firstKeyId, p.key.keyId);

    const second = p.key.rotate();
    assert.notEqual(second.keyId, firstKeyId);
    assert.equal(p.sender.stats(T0).keyId, second.keyId);
    // Not announced yet: a frame under the new key cannot be opened.
    p.push(p.send(2));
    assert.equal(p.frames.length, 0);
    assert.equal(p.receiver.stats(T0 + 1000).rejected, 1);

    p.keys.add(second);
    // Announcing a key twice changes nothing.
    p.keys.add(second);
    const underSecondKey = p.send(3);
    const third = p.key.rotate();
    p.keys.add(third);
    // The receiver now holds keys two and three: frame 3 (key two) opens, frame 20 (key one)
    // does not.
    p.push(underSecondKey);
    assert.deepEqual(frameNumbers(p.frames), [3]);
    p.push(underFirstKey);
    assert.deepEqual(frameNumbers(p.frames), [3]);
    assert.equal(p.receiver.stats(T0 + 1000).rejected, 2);

    p.push(p.send(21));
    assert.deepEqual(frameNumbers(p.frames), [3, 21]);
  });

  it('rejects a frame whose chunk headers disagree with its sealed metadata', () => {
    const p = track(pair());
    p.push(p.send(5).map((chunk) => renumber(chunk, 6)));
    assert.deepEqual(p.frames, []);
    assert.equal(p.receiver.stats(T0 + 1000).rejected, 1);
    p.push(p.send(7));
    assert.deepEqual(frameNumbers(p.frames), [7]);
  });

  it('rejects a frame with a tampered chunk and malformed chunks', () => {
    const p = track(pair());
    const chunks = p.send(1);
    const tampered = chunks[1]!.slice();
    tampered.set([tampered.at(-5)! ^ 0x01], tampered.length - 5);
    p.push([chunks[0]!, tampered, chunks[2]!]);
    p.push([new Uint8Array([1, 2, 3]), new Uint8Array(0)]);
    assert.deepEqual(p.frames, []);
    assert.equal(p.receiver.stats(T0 + 1000).rejected, 3);
  });

  it('reports what arrived and what was lost since the last report', () => {
    const p = track(pair());
    p.push(p.send(1), T0 + 1000);
    const lossy = p.send(2);
    p.push(lossy.slice(1), T0 + 1000);
    p.push(p.send(3), T0 + 1010);
    const report = p.receiver.takeReport();
    assert.equal(report.received, 2);
    assert.equal(report.lost, 1);
    assert.equal(report.latencyMs, (T0 + 1000 - (T0 + 40) + (T0 + 1010 - (T0 + 120))) / 2);
    assert.deepEqual(p.receiver.takeReport(), { received: 0, lost: 0, latencyMs: null });
    p.push(p.send(4), T0 + 1020);
    assert.deepEqual(p.receiver.takeReport(), {
      received: 1,
      lost: 0,
      latencyMs: T0 + 1020 - (T0 + 160),
    });
  });

  it('receiver stats: rates over the last second, percentiles and size', () => {
    const p = track(pair());
    for (let n = 1; n <= 5; n++) p.push(p.send(n), T0 + 1000 + n * 100);
    const now = T0 + 1500;
    const stats = p.receiver.stats(now);
    assert.equal(stats.received, 5);
    assert.equal(stats.fps, 5);
    assert.ok(stats.kbps > (5 * JPEG_BYTES * 8) / 1000, `kbps ${stats.kbps}`);
    assert.equal(stats.width, 320);
    assert.equal(stats.height, 240);
    // Latency is 1000 + 100n - 40n = 1000 + 60n ms for frame n.
    assert.equal(stats.latencyP50Ms, 1180);
    assert.equal(stats.latencyP95Ms, 1300);
    // Two seconds later the rates have decayed, the counts have not.
    const later = p.receiver.stats(now + 2000);
    assert.equal(later.fps, 0);
    assert.equal(later.kbps, 0);
    assert.equal(later.received, 5);
  });

  it('sender offers each frame to open links only, and skips links still busy', () => {
    const key = new OwnMediaKey();
    const sender = new MediaSender(key, T0);
    const open = new StubLink();
    const connecting = new StubLink();
    connecting.state = 'connecting';
    const busy = new StubLink();
    busy.mediaBufferedAmount = 1;
    sender.send(outgoing(1), asLinks(open, connecting, busy), T0 + 100);
    assert.equal(open.sent.length, 3);
    assert.equal(connecting.sent.length, 0);
    assert.equal(busy.sent.length, 0);
    const stats = sender.stats(T0 + 100);
    assert.equal(stats.skipped, 1);
    assert.equal(stats.fps, 1);
    assert.equal(stats.width, 320);
    assert.equal(stats.height, 240);
    assert.equal(stats.keyId, key.keyId);
    assert.ok(stats.kbps > (JPEG_BYTES * 8) / 1000);
    assert.ok(stats.sealMs >= 0);
    // The same sealed chunks go to every link: one seal per frame whatever the member count.
    const other = new StubLink();
    sender.send(outgoing(2), asLinks(open, other), T0 + 140);
    assert.deepEqual(other.sent, open.sent.slice(3));
    // No open link took it: not counted as a frame sent.
    sender.send(outgoing(3), asLinks(connecting), T0 + 180);
    assert.equal(sender.stats(T0 + 180).fps, 2);
  });

  it('sender backs off on a lossy report or a busy link, and not on a clean one', () => {
    const sender = new MediaSender(new OwnMediaKey(), T0);
    const adapted: EncodeTarget[] = [];
    sender.on('adapt', (target) => adapted.push(target));
    const initial = sender.target;
    // Reports count for the JPEG quality once the member gets JPEG frames.
    const member = new StubLink();
    sender.send(outgoing(1), asLinks(member), T0 + 50);
    sender.onReport(member.peerId, { received: 10, lost: 1, latencyMs: null }, T0 + 100);
    assert.equal(adapted.length, 0);
    sender.onReport(member.peerId, { received: 6, lost: 4, latencyMs: null }, T0 + 200);
    assert.equal(adapted.length, 1);
    assert.ok(adapted[0]!.quality < initial.quality);
    assert.deepEqual(sender.target, adapted[0]);
    const busy = new StubLink();
    busy.mediaBufferedAmount = 4096;
    sender.send(outgoing(1), asLinks(busy), T0 + 400);
    assert.equal(adapted.length, 2);
    assert.ok(adapted[1]!.quality < adapted[0]!.quality);
  });

  it('a closed receiver ignores chunks and forgets its latest frame', () => {
    const p = track(pair());
    p.push(p.send(1));
    assert.ok(p.receiver.latest);
    p.receiver.close();
    p.push(p.send(2));
    assert.deepEqual(frameNumbers(p.frames), [1]);
    assert.equal(p.receiver.latest, null);
    assert.equal(p.receiver.stats(T0 + 1000).received, 1);
    p.receiver.close();
  });
});

/** A copy of `chunk` whose unauthenticated header names another frame number. */
function renumber(chunk: Uint8Array, frameNumber: number): Uint8Array {
  const copy = chunk.slice();
  new DataView(copy.buffer).setUint32(2, frameNumber);
  return copy;
}
