import assert from 'node:assert/strict';
import type { PacedTarget } from '../../p2p/media/video-pacer.js';
import { VideoPacer } from '../../p2p/media/video-pacer.js';
import { waitUntil } from '../helpers/wait.js';

class Target implements PacedTarget {
  state = 'open' as const;
  mediaBufferedAmount = 0;
  readonly sent: Uint8Array[] = [];
  sendMedia(chunk: Uint8Array): boolean {
    this.sent.push(chunk);
    return true;
  }
}

const chunk = (): Uint8Array => new Uint8Array(4000);

describe('VideoPacer: video never delays our voice', () => {
  const pacers: VideoPacer[] = [];
  afterEach(() => {
    for (const pacer of pacers.splice(0)) pacer.close();
  });

  function make(): { pacer: VideoPacer; target: Target; clock: { now: number } } {
    const clock = { now: 0 };
    const pacer = new VideoPacer(() => clock.now);
    pacers.push(pacer);
    const target = new Target();
    pacer.bind(target);
    return { pacer, target, clock };
  }

  it('passes video straight through while we send no voice', () => {
    const { pacer, target } = make();
    pacer.onReport({ queueMs: 200, kbps: 3000 });
    for (let i = 0; i < 10; i++) pacer.sendMedia(chunk());
    assert.equal(target.sent.length, 10);
    assert.equal(pacer.paced, false);
    assert.equal(pacer.mediaBufferedAmount, 0);
  });

  it('with voice: paced at what arrives, cut on a standing queue and on starved voice, grown after', () => {
    const { pacer, clock } = make();
    pacer.onReport({ kbps: 3000 }, clock.now);
    pacer.noteVoice(clock.now);
    assert.equal(pacer.rateKbps, 3000, 'starts at what the path delivered');
    clock.now = 100;
    pacer.onReport({ kbps: 3000 }, clock.now);
    assert.equal(pacer.rateKbps, 3000, 'too early to call the voice stuck');
    clock.now = 250;
    pacer.onReport({ queueMs: 40, kbps: 2800 }, clock.now);
    assert.equal(pacer.rateKbps, 2800 * 0.85);
    clock.now = 500;
    pacer.onReport({ queueMs: 30, kbps: 2800 }, clock.now);
    assert.ok((pacer.rateKbps ?? 0) < 2800 * 0.85, 'keeps cutting while the queue stands');
    const cut = pacer.rateKbps ?? 0;
    // Voice sent all along (every 20 ms), none of it arrived in the period: stuck behind video.
    for (let t = 0; t <= 740; t += 20) pacer.noteVoice(t);
    clock.now = 750;
    pacer.onReport({ kbps: 2800 }, clock.now);
    assert.ok((pacer.rateKbps ?? 0) < cut);
    const low = pacer.rateKbps ?? 0;
    pacer.noteVoice(900);
    clock.now = 1000;
    pacer.onReport({ queueMs: 1, kbps: 2000 }, clock.now);
    assert.ok((pacer.rateKbps ?? 0) > low, 'grows when no queue stands');
  });

  it('drains queued chunks at the paced rate, and the sender sees them as buffered', async () => {
    const target = new Target();
    const pacer = new VideoPacer();
    pacers.push(pacer);
    pacer.bind(target);
    pacer.onReport({ kbps: 1000 }); // 125 kB/s: one 4 kB chunk per 32 ms
    pacer.noteVoice();
    for (let i = 0; i < 5; i++) pacer.sendMedia(chunk());
    assert.ok(target.sent.length < 5, 'not all at once');
    assert.ok(pacer.mediaBufferedAmount > 0);
    const started = performance.now();
    await waitUntil(() => target.sent.length === 5, { timeoutMs: 3000, message: 'drained' });
    assert.ok(performance.now() - started >= 80, 'spread over time');
    assert.equal(pacer.mediaBufferedAmount, 0);
  });

  it('goes unpaced (sending what it held) once voice stopped; close() drops the queue', () => {
    const { pacer, target, clock } = make();
    pacer.onReport({ kbps: 100 }, 0);
    pacer.noteVoice(0);
    for (let i = 0; i < 4; i++) pacer.sendMedia(chunk());
    const before = target.sent.length;
    assert.ok(before < 4);
    clock.now = 5000;
    pacer.onReport({ kbps: 100 }, clock.now);
    assert.equal(pacer.paced, false);
    assert.equal(target.sent.length, 4);

    pacer.noteVoice(clock.now);
    pacer.sendMedia(chunk());
    pacer.sendMedia(chunk());
    pacer.close();
    pacer.close();
    assert.equal(pacer.mediaBufferedAmount, 0);
    assert.equal(pacer.state, 'closed');
    assert.equal(pacer.sendMedia(chunk()), false);
  });

  it('a new link starts with an empty queue', () => {
    const { pacer, clock } = make();
    pacer.onReport({ kbps: 100 }, 0);
    pacer.noteVoice(0);
    for (let i = 0; i < 4; i++) pacer.sendMedia(chunk());
    assert.ok(pacer.mediaBufferedAmount > 0);
    const next = new Target();
    pacer.bind(next);
    assert.equal(pacer.mediaBufferedAmount, 0);
    clock.now = 10;
    assert.equal(next.sent.length, 0);
  });
});
