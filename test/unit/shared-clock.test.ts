/** The party's shared clock: the lowest id's clock, through each link's offset estimate. */
import assert from 'node:assert/strict';
import type { ControlMessage } from '../../p2p/link/control-messages.js';
import type { ClockLink } from '../../p2p/party/shared-clock.js';
import { SharedClock } from '../../p2p/party/shared-clock.js';
import { waitUntil } from '../helpers/wait.js';

class Link implements ClockLink {
  readonly sent: ControlMessage[] = [];
  constructor(
    readonly peerId: string,
    public clockOffsetMs: number | null,
  ) {}
  sendControl(message: ControlMessage): boolean {
    this.sent.push(message);
    return true;
  }
}

describe('shared clock', () => {
  const me = '5'.repeat(32);

  it('follows the lowest id with an estimate; ours while we are lowest', () => {
    const low = new Link('1'.repeat(32), null);
    const high = new Link('9'.repeat(32), -300);
    const clock = new SharedClock({ localId: me, links: () => [low, high], now: () => 10_000 });
    try {
      assert.equal(clock.reference, me, 'no estimate for the lowest yet');
      assert.equal(clock.now(), 10_000);
      low.clockOffsetMs = 250;
      assert.equal(clock.reference, low.peerId);
      assert.equal(clock.now(), 10_250);
      assert.equal(clock.toShared(1000), 1250);
    } finally {
      clock.close();
    }
  });

  it('probes every link with a burst of round trips, and stops on close', async () => {
    const link = new Link('1'.repeat(32), 0);
    const clock = new SharedClock({ localId: me, links: () => [link], burst: 4, burstGapMs: 5 });
    await waitUntil(() => link.sent.length === 4, { timeoutMs: 2000, message: 'a burst of 4' });
    assert.ok(link.sent.every((m) => m.t === 'ping'));
    clock.probe();
    clock.close();
    const after = link.sent.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(link.sent.length, after, 'no ping after close');
  });
});
