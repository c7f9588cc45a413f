import assert from 'node:assert/strict';
import { OwnMediaKey, PeerMediaKeys } from '../../p2p/media/keys.js';
import { KeyframeLimiter } from '../../p2p/media/keyframe-limiter.js';
import { BUFFERED_LIMIT_BYTES, LayerSelector } from '../../p2p/media/layer-selector.js';
import type { ReceivedFrame } from '../../p2p/media/receiver.js';
import { MediaReceiver } from '../../p2p/media/receiver.js';
import type { LayerFrame, LayeredFrame, SendTarget } from '../../p2p/media/sender.js';
import { MediaSender } from '../../p2p/media/sender.js';
import { waitUntil } from '../helpers/wait.js';

const T0 = 1_700_000_000_000;
const SIZES = [
  [1280, 720],
  [640, 360],
  [320, 180],
] as const;

/** An H.264-shaped access unit: start code, an IDR (5) or non-IDR (1) slice NAL, filler. */
function accessUnit(keyframe: boolean, bytes: number, seed: number): Uint8Array {
  const data = Uint8Array.from({ length: bytes }, (_, i) => (i * 7 + seed) & 0xff);
  data.set([0, 0, 0, 1, keyframe ? 0x65 : 0x41]);
  return data;
}

/** Camera frame `n`, all three layers; the layers in `keys` are keyframes. */
function frame(n: number, keys: readonly number[] = [], bytes = 3000): LayeredFrame {
  const layers: LayerFrame[] = SIZES.map(([width, height], layer) => {
    const keyframe = keys.includes(layer);
    const data = accessUnit(keyframe, bytes >> layer, n);
    return { layer, codec: 'h264', keyframe, width, height, data };
  });
  return { frameNumber: n, captureTs: T0 + n * 33, layers };
}

function jpegLayer(layer: number): LayerFrame {
  const data = new Uint8Array(400).fill(9);
  data.set([0xff, 0xd8]);
  data.set([0xff, 0xd9], 398);
  return { layer, codec: 'jpeg', keyframe: true, width: 320, height: 240, data };
}

let count = 0;
class StubLink {
  readonly peerId = `member-${++count}`;
  state: 'open' | 'closed' = 'open';
  mediaBufferedAmount = 0;
  readonly sent: Uint8Array[] = [];
  sendMedia(chunk: Uint8Array): boolean {
    this.sent.push(chunk);
    return true;
  }
  /** Streams (layer) of the frames sent since the last call (one chunk each here). */
  streams(): number[] {
    return this.sent.splice(0).map((chunk) => chunk[1] ?? -1);
  }
}

const targets = (...links: StubLink[]): SendTarget[] =>
  links.map((link) => ({ peerId: link.peerId, link }));

const calm = { received: 8, lost: 0, latencyMs: 20 };
/** When rampUp is done: the links start one layer down and climb after a second of calm. */
const RAMPED = T0 + 1250;

/** A second of calm reports from each member: their links climb to layer 0. */
function rampUp(sender: MediaSender, ...links: StubLink[]): void {
  for (let t = T0; t <= RAMPED; t += 250) {
    for (const link of links) sender.onReport(link.peerId, calm, t);
  }
}

describe('media layers: MediaReceiver decodable chains', () => {
  const closers: { close(): void }[] = [];
  afterEach(() => {
    for (const item of closers.splice(0)) item.close();
  });

  /** A sender, one link, a receiver taking what the link got (unless `drop`). */
  function wire(options: { decode?: ('h264' | 'jpeg')[] } = {}): {
    send: (f: LayeredFrame, drop?: boolean) => void;
    frames: ReceivedFrame[];
    requests: number[];
    receiver: MediaReceiver;
  } {
    const key = new OwnMediaKey();
    const sender = new MediaSender(key, T0);
    const keys = new PeerMediaKeys();
    keys.add(key.announcement());
    const receiver = new MediaReceiver('ada', keys, () => 0, { repeatMs: 40, ...options });
    closers.push(sender, receiver);
    const link = new StubLink();
    rampUp(sender, link);
    const frames: ReceivedFrame[] = [];
    const requests: number[] = [];
    receiver.on('frame', (f) => frames.push(f));
    receiver.on('keyframe-request', (stream) => requests.push(stream));
    return {
      send(f, drop = false) {
        sender.send(f, targets(link), f.captureTs);
        const chunks = link.sent.splice(0);
        if (!drop) for (const chunk of chunks) receiver.push(chunk);
      },
      frames,
      requests,
      receiver,
    };
  }

  it('emits a chain from its keyframe; after a loss counts deltas undecodable, asks again every repeat, recovers at the keyframe', async () => {
    const w = wire();
    w.send(frame(0, [0]));
    w.send(frame(1));
    w.send(frame(2));
    w.send(frame(3), true);
    w.send(frame(4));
    w.send(frame(5));
    assert.deepEqual(
      w.frames.map((f) => [f.meta.frameNumber, f.meta.keyframe]),
      [
        [0, true],
        [1, false],
        [2, false],
      ],
    );
    const first = w.frames[0];
    assert.equal(first?.meta.codec, 'h264');
    assert.equal(first?.meta.stream, 0);
    assert.deepEqual([first?.meta.width, first?.meta.height], [1280, 720]);
    assert.deepEqual(w.requests, [0], 'asked at once, once');
    await waitUntil(() => w.requests.length >= 3, {
      timeoutMs: 2000,
      message: 'repeated requests',
    });
    w.send(frame(6, [0]));
    w.send(frame(7));
    assert.deepEqual(
      w.frames.map((f) => f.meta.frameNumber),
      [0, 1, 2, 6, 7],
    );
    const asked = w.requests.length;
    const stats = w.receiver.stats();
    assert.equal(stats.undecodable, 2);
    assert.equal(stats.keyframesRequested, asked);
    assert.equal(stats.codec, 'h264');
    assert.equal(stats.layer, 0);
    // Answered: no more requests (three repeat periods later).
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(w.requests.length, asked);
  });

  it('a late joiner takes nothing before a keyframe; the page can break the chain', () => {
    const w = wire();
    w.send(frame(0, [0]), true);
    w.send(frame(1));
    assert.equal(w.frames.length, 0);
    assert.deepEqual(w.requests, [0]);
    w.send(frame(2, [0]));
    w.send(frame(3));
    assert.equal(w.frames.length, 2);
    w.receiver.requestKeyframe();
    assert.deepEqual(w.requests, [0, 0]);
    w.send(frame(4));
    assert.equal(w.frames.length, 2, 'no delta after the page failed to decode');
    w.send(frame(5, [0]));
    assert.equal(w.frames.length, 3);
  });

  it('a front end without H.264 gets no H.264 frame, counted undecodable, and asks nothing', () => {
    const w = wire({ decode: ['jpeg'] });
    w.send(frame(0, [0]));
    w.send(frame(1));
    assert.equal(w.frames.length, 0);
    assert.equal(w.receiver.stats().undecodable, 2);
    assert.deepEqual(w.requests, []);
  });
});

describe('media layers: MediaSender', () => {
  const senders: MediaSender[] = [];
  afterEach(() => {
    for (const sender of senders.splice(0)) sender.close();
  });
  function sender(): { sender: MediaSender; needed: number[] } {
    const made = new MediaSender(new OwnMediaKey(), T0);
    senders.push(made);
    const needed: number[] = [];
    made.on('keyframe-needed', ({ layer }) => needed.push(layer));
    return { sender: made, needed };
  }

  it('a new member starts one layer down, gets nothing until its keyframe (asked for at once), climbs after calm', () => {
    const { sender: s, needed } = sender();
    const link = new StubLink();
    s.send(frame(0), targets(link), T0);
    s.send(frame(1), targets(link), T0 + 33);
    assert.deepEqual(link.streams(), []);
    assert.deepEqual(needed, [1], 'one request, not one per frame');
    s.send(frame(2, [0, 1, 2]), targets(link), T0 + 66);
    s.send(frame(3), targets(link), T0 + 99);
    assert.deepEqual(link.streams(), [1, 1]);
    assert.deepEqual(s.stats().layers, [{ peer: link.peerId, layer: 1 }]);
    rampUp(s, link);
    s.send(frame(4), targets(link), RAMPED);
    assert.deepEqual(needed, [1, 0]);
    assert.deepEqual(link.streams(), [1], 'layer 1 goes on until layer 0 has a keyframe');
    s.send(frame(5, [0]), targets(link), RAMPED + 33);
    assert.deepEqual(link.streams(), [0]);
  });

  it('per link: a congested member moves down at its layer keyframe, the other keeps layer 0', () => {
    const { sender: s, needed } = sender();
    const fast = new StubLink();
    const slow = new StubLink();
    rampUp(s, fast, slow);
    const t = RAMPED;
    s.send(frame(0, [0, 1, 2]), targets(fast, slow), t);
    assert.deepEqual([fast.streams(), slow.streams()], [[0], [0]]);
    s.onReport(slow.peerId, { received: 5, lost: 5, latencyMs: 10 }, t + 250);
    s.onReport(fast.peerId, { received: 10, lost: 0, latencyMs: 10 }, t + 250);
    // Until layer 1's keyframe the slow member stays on layer 0's chain; layer 1 is asked for.
    s.send(frame(1), targets(fast, slow), t + 260);
    assert.deepEqual([fast.streams(), slow.streams()], [[0], [0]]);
    assert.deepEqual(needed, [1]);
    s.send(frame(2, [1]), targets(fast, slow), t + 290);
    s.send(frame(3), targets(fast, slow), t + 320);
    assert.deepEqual(
      [fast.streams(), slow.streams()],
      [
        [0, 0],
        [1, 1],
      ],
    );
    assert.deepEqual(s.stats().layers, [
      { peer: fast.peerId, layer: 0 },
      { peer: slow.peerId, layer: 1 },
    ]);
  });

  it('a member whose queue is full skips the frame and waits for a keyframe; the skip counts as congestion', () => {
    const { sender: s, needed } = sender();
    const link = new StubLink();
    rampUp(s, link);
    s.send(frame(0, [0, 1, 2]), targets(link), RAMPED);
    assert.deepEqual(link.streams(), [0]);
    link.mediaBufferedAmount = 3 * BUFFERED_LIMIT_BYTES;
    s.send(frame(1), targets(link), RAMPED + 33);
    link.mediaBufferedAmount = 0;
    s.send(frame(2), targets(link), RAMPED + 66);
    assert.deepEqual(link.streams(), [], 'a delta after a skipped one would not decode');
    assert.equal(s.stats().skipped, 1);
    assert.deepEqual(s.stats().layers, [{ peer: link.peerId, layer: null }]);
    // Stepped down (the skip), and asked for that layer's keyframe.
    assert.deepEqual(needed, [1]);
    s.send(frame(3, [1]), targets(link), RAMPED + 99);
    assert.deepEqual(link.streams(), [1]);
  });

  it("answers a member's keyframe request for its own layer only, rate-limited", async () => {
    const { sender: s, needed } = sender();
    const link = new StubLink();
    rampUp(s, link);
    s.send(frame(0, [0, 1, 2]), targets(link), RAMPED);
    s.onKeyframeRequest(link.peerId, 2);
    assert.deepEqual(needed, [], 'it gets layer 0, not 2');
    s.onKeyframeRequest(link.peerId, 0);
    s.onKeyframeRequest(link.peerId, 0);
    assert.deepEqual(needed, [0], 'the second coalesced: a keyframe was just forced');
    await waitUntil(() => needed.length === 2, { timeoutMs: 1000, message: 'coalesced request' });
    assert.equal(s.stats().keyframesForced, 2);
  });

  it('a member without H.264 gets the JPEG layer, and the capture is told while one is there', () => {
    const { sender: s } = sender();
    const fallback: boolean[] = [];
    s.on('jpeg-fallback', ({ needed }) => fallback.push(needed));
    const modern = new StubLink();
    const old = new StubLink();
    s.setDecoders(modern.peerId, ['h264', 'jpeg']);
    s.setDecoders(old.peerId, ['jpeg']);
    assert.deepEqual(fallback, [true]);
    s.send(frame(0, [0, 1, 2]), targets(modern, old));
    assert.deepEqual([modern.streams(), old.streams()], [[1], []], 'no JPEG layer yet');
    const withJpeg = frame(1);
    s.send({ ...withJpeg, layers: [...withJpeg.layers, jpegLayer(3)] }, targets(modern, old));
    assert.deepEqual([modern.streams(), old.streams()], [[1], [3]]);
    s.remove(old.peerId);
    assert.deepEqual(fallback, [true, false]);
  });
});

describe('media layers: LayerSelector', () => {
  it('starts one layer down and climbs after a second of calm', () => {
    const selector = new LayerSelector(T0);
    selector.maxLayer = 2;
    assert.equal(selector.layer, 1);
    assert.equal(selector.onReport(calm, T0 + 750), false);
    assert.equal(selector.onReport(calm, T0 + 1000), true);
    assert.equal(selector.layer, 0);
    const single = new LayerSelector(T0);
    single.maxLayer = 0;
    assert.equal(single.layer, 0, 'one layer: that one');
  });

  it('steps down at once on loss, a standing queue, latency growth or a full buffer; one step a period', () => {
    const selector = new LayerSelector(T0);
    selector.maxLayer = 2;
    selector.onReport(calm, T0 + 1000);
    assert.equal(selector.layer, 0);
    assert.equal(selector.onReport({ ...calm, lost: 6 }, T0 + 1250), true);
    assert.equal(selector.layer, 1);
    assert.equal(selector.onBuffered(BUFFERED_LIMIT_BYTES + 1, T0 + 1350), false, 'spaced');
    assert.equal(selector.onBuffered(BUFFERED_LIMIT_BYTES + 1, T0 + 1510), true);
    assert.equal(selector.layer, 2);
    assert.equal(selector.onReport({ ...calm, queueMs: 80 }, T0 + 1850), false, 'at the bottom');
    const growth = new LayerSelector(T0);
    growth.maxLayer = 2;
    growth.onReport(calm, T0 + 250);
    growth.onReport({ ...calm, latencyMs: 45 }, T0 + 500);
    assert.equal(growth.layer, 1, '25 ms growth is noise');
    growth.onReport({ ...calm, latencyMs: 90 }, T0 + 750);
    assert.equal(growth.layer, 2);
  });

  it('random loss of a few percent keeps the layer; sustained loss above 10 % steps down', () => {
    const selector = new LayerSelector(T0);
    selector.maxLayer = 1;
    selector.onReport(calm, T0 + 1000);
    assert.equal(selector.layer, 0);
    // ~6 %: one frame of 8 lost in every other report (one report alone reads 12.5 %).
    let t = T0 + 1000;
    for (let i = 0; i < 40; i++) {
      t += 250;
      selector.onReport({ ...calm, lost: i % 2 === 0 ? 1 : 0 }, t);
    }
    assert.equal(selector.layer, 0, 'random loss is not congestion');
    // ~20 % for a while: that is.
    for (let i = 0; i < 8 && selector.layer === 0; i++) {
      t += 250;
      selector.onReport({ received: 8, lost: 2, latencyMs: 20 }, t);
    }
    assert.equal(selector.layer, 1);
  });

  it('once congested, steps up only after 4 s of calm; a step up undone soon doubles the wait', () => {
    const selector = new LayerSelector(T0);
    selector.maxLayer = 2;
    selector.onReport({ ...calm, lost: 6 }, T0);
    assert.equal(selector.layer, 2);
    let t = T0;
    const calmUntil = (end: number): void => {
      for (; t < end; t += 250) selector.onReport(calm, t);
    };
    calmUntil(T0 + 3900);
    assert.equal(selector.layer, 2, 'not before 4 s of calm');
    calmUntil(T0 + 4300);
    assert.equal(selector.layer, 1);
    const upAt = t;
    selector.onReport({ ...calm, lost: 6 }, upAt + 1000);
    assert.equal(selector.layer, 2, 'the step up failed');
    t = upAt + 1000;
    calmUntil(upAt + 1000 + 7900);
    assert.equal(selector.layer, 2, 'now 8 s of calm are needed');
    calmUntil(upAt + 1000 + 8300);
    assert.equal(selector.layer, 1);
    // No reports of received frames: no evidence of headroom.
    const idle = new LayerSelector(T0);
    idle.maxLayer = 1;
    idle.onReport({ ...calm, lost: 6 }, T0);
    idle.onReport({ received: 0, lost: 0, latencyMs: null }, T0 + 60_000);
    assert.equal(idle.layer, 1);
  });
});

describe('media layers: KeyframeLimiter', () => {
  it('passes the first request at once, coalesces the next within the interval, and a keyframe sent answers pending ones', async () => {
    const limiter = new KeyframeLimiter(80);
    const forced: number[] = [];
    limiter.on('force', (layer) => forced.push(layer));
    try {
      limiter.request(0);
      limiter.request(1);
      assert.deepEqual(forced, [0, 1], 'per layer');
      limiter.request(0);
      limiter.request(0);
      assert.deepEqual(forced, [0, 1]);
      await waitUntil(() => forced.length === 3, { timeoutMs: 1000, message: 'coalesced' });
      assert.deepEqual(forced, [0, 1, 0]);
      // Layer 0 was just forced: this one waits, and the keyframe going out answers it.
      limiter.request(0);
      limiter.sent(0);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.deepEqual(forced, [0, 1, 0], 'answered by the keyframes that went out');
      assert.equal(limiter.forced, 3);
    } finally {
      limiter.close();
    }
  });
});
