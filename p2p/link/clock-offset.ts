/**
 * Offset between a peer's clock and ours from ping/pong timestamps, NTP style: of the
 * recent samples the one with the shortest round trip is the least skewed by queueing.
 */
export class ClockOffset {
  readonly #samples: { rtt: number; offset: number }[] = [];
  readonly #keep: number;

  constructor(keep = 16) {
    this.#keep = keep;
  }

  /** `sentAt` and `receivedAt` on our clock, `peerNow` on theirs. */
  add(sentAt: number, peerNow: number, receivedAt: number): void {
    const rtt = receivedAt - sentAt;
    if (!Number.isFinite(rtt) || rtt < 0 || !Number.isFinite(peerNow)) return;
    this.#samples.push({ rtt, offset: peerNow - (sentAt + rtt / 2) });
    if (this.#samples.length > this.#keep) this.#samples.shift();
  }

  get offsetMs(): number | null {
    let best: { rtt: number; offset: number } | null = null;
    for (const sample of this.#samples) if (!best || sample.rtt < best.rtt) best = sample;
    return best ? best.offset : null;
  }
}
