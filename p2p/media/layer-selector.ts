/** What one member's media-report says about our video to it (see MediaReceiver.takeReport). */
export interface LinkReport {
  received: number;
  lost: number;
  /** Mean capture → arrival latency over the report, on its clock corrected for offset. */
  latencyMs: number | null;
  /** Standing queue our voice met there, ms above its base delay; absent without voice. */
  queueMs?: number | null | undefined;
}

/**
 * A member losing more than this share of our frames over LOSS_WINDOW_MS is congested (as in
 * WebRTC's loss-based control, which backs off above 10 %). One report holds ~7 frames, so one
 * lost frame would read as 14 %: random Wi-Fi loss of a few percent must not cost a layer.
 */
const LOSS_LIMIT = 0.1;
const LOSS_WINDOW_MS = 2000;
/** Fewer frames than this in the window say too little about the loss rate. */
const LOSS_MIN_FRAMES = 30;
/** Losing this share of one report's frames (at least LOSS_HEAVY_MIN) is congestion at once. */
const LOSS_HEAVY = 0.4;
const LOSS_HEAVY_MIN = 4;
/** Latency this far above the lowest seen lately means a queue is building on the path. */
const LATENCY_GROWTH_MS = 40;
/** How long the lowest latency is remembered (the path's base delay may change). */
const BASE_WINDOW_MS = 10_000;
/** A standing voice queue above this (the pacer already cuts video at 12 ms). */
const QUEUE_LIMIT_MS = 30;
/** Our media queued towards the member above this at a send: the link does not keep up. */
export const BUFFERED_LIMIT_BYTES = 48 * 1024;
/** Steps down no faster than one a report period, so one burst does not drop to the bottom. */
const DOWN_SPACING_MS = 250;
/** Calm this long before a step up; doubles when a step up failed soon after. */
const UP_HOLD_MS = 4000;
/**
 * A new link starts one layer down and ramps up after this much calm: starting at the top
 * overshoots a slow path by far (frames queue in the transport, the link stalls for seconds).
 */
const START_LAYER = 1;
const RAMP_HOLD_MS = 1000;
const UP_HOLD_MAX_MS = 32_000;
/** Congestion this soon after a step up means the step up was the cause. */
const FAILED_UP_WITHIN_MS = 5000;

/**
 * The layer one link should get (0 = best): starts one layer down and ramps up after a short
 * calm; then down one step at once on congestion (loss, latency growth, a standing queue, a
 * filling send buffer), up one step only after a calm period that doubles each time a step up
 * had to be taken back (hysteresis). One per link, so a slow member gets a lower layer and
 * the others keep theirs.
 */
export class LayerSelector {
  #layer = START_LAYER;
  #maxLayer = 0;
  #calmSince: number;
  #downAt = -Infinity;
  #upAt = -Infinity;
  #upHoldMs = RAMP_HOLD_MS;
  #latencies: { at: number; ms: number }[] = [];
  #losses: { at: number; received: number; lost: number }[] = [];

  constructor(now: number) {
    this.#calmSince = now;
  }

  get layer(): number {
    return this.#layer;
  }

  /** The worst layer there is now (the frame's layer count − 1). */
  set maxLayer(max: number) {
    this.#maxLayer = Math.max(0, max);
    this.#layer = Math.min(this.#layer, this.#maxLayer);
  }

  /** Returns true when the layer changed. */
  onReport(report: LinkReport, now: number): boolean {
    const lossy = this.#lossy(report, now);
    const queued = (report.queueMs ?? 0) > QUEUE_LIMIT_MS;
    if (lossy || queued || this.#latencyGrew(report.latencyMs, now)) return this.#congested(now);
    // Headroom is only known from what arrived: no frames, no evidence.
    if (report.received === 0) return false;
    // Long stable since the last step up: a doubled wait goes back to normal.
    if (this.#upHoldMs > UP_HOLD_MS && now - this.#upAt > UP_HOLD_MAX_MS) {
      this.#upHoldMs = UP_HOLD_MS;
    }
    const calm = now - Math.max(this.#calmSince, this.#downAt, this.#upAt);
    if (this.#layer === 0 || calm < this.#upHoldMs) return false;
    this.#layer--;
    this.#upAt = now;
    return true;
  }

  /** What our media queue towards the member held at a send (or a frame skipped: Infinity). */
  onBuffered(bytes: number, now: number): boolean {
    return bytes > BUFFERED_LIMIT_BYTES ? this.#congested(now) : false;
  }

  #congested(now: number): boolean {
    this.#calmSince = now;
    // The ramp is over once the path showed its limit.
    this.#upHoldMs = Math.max(this.#upHoldMs, UP_HOLD_MS);
    if (now - this.#upAt < FAILED_UP_WITHIN_MS && this.#upAt > this.#downAt) {
      this.#upHoldMs = Math.min(UP_HOLD_MAX_MS, this.#upHoldMs * 2);
    }
    if (this.#layer >= this.#maxLayer || now - this.#downAt < DOWN_SPACING_MS) return false;
    this.#layer++;
    this.#downAt = now;
    // The queue that made latency grow drains now: measure growth and loss from here afresh.
    this.#latencies = [];
    this.#losses = [];
    return true;
  }

  #lossy(report: LinkReport, now: number): boolean {
    const total = report.received + report.lost;
    if (report.lost >= LOSS_HEAVY_MIN && report.lost / total >= LOSS_HEAVY) return true;
    this.#losses = this.#losses.filter((sample) => now - sample.at < LOSS_WINDOW_MS);
    this.#losses.push({ at: now, received: report.received, lost: report.lost });
    const lost = this.#losses.reduce((sum, sample) => sum + sample.lost, 0);
    const seen = this.#losses.reduce((sum, sample) => sum + sample.received + sample.lost, 0);
    return seen >= LOSS_MIN_FRAMES && lost / seen > LOSS_LIMIT;
  }

  #latencyGrew(latencyMs: number | null, now: number): boolean {
    if (latencyMs === null) return false;
    this.#latencies = this.#latencies.filter((sample) => now - sample.at < BASE_WINDOW_MS);
    this.#latencies.push({ at: now, ms: latencyMs });
    const base = Math.min(...this.#latencies.map((sample) => sample.ms));
    return latencyMs - base > LATENCY_GROWTH_MS;
  }
}
