import { TypedEmitter } from '../base/typed-emitter.js';
import type { FrameMeta, VideoCodec } from './frame.js';

export interface DecodableChainsEvents {
  /** Ask the sender for a keyframe of this stream. */
  request: [number];
}

/**
 * An unanswered keyframe request is asked again after this long: a request answered goes
 * round (request, IDR on the next frame, its chunks back) in ~50–80 ms on a LAN, and under
 * loss a lost request or keyframe must not freeze the picture past ~300 ms (at 250 ms the
 * second try alone came too late). The sender forces at most one keyframe per 100 ms.
 */
export const KEYFRAME_REPEAT_MS = 120;
/**
 * A delta frame that cannot be decoded this long after our last request means the request
 * or its keyframe was lost (the sender answers within a frame interval, a keyframe crosses
 * a LAN in a few ms): ask again then instead of waiting out KEYFRAME_REPEAT_MS. The sender's
 * limiter still forces at most one keyframe per 100 ms.
 */
export const KEYFRAME_REASK_ON_EVIDENCE_MS = 60;
/** Nothing arrived for this long: the sender stopped sending, stop asking it. */
const GIVE_UP_AFTER_MS = 2000;

/**
 * Which of one member's frames a decoder can take: a keyframe always, a delta frame only if
 * the frame before it on its stream was taken too. A frame that fails this is counted
 * undecodable, and a keyframe is requested at once and again every KEYFRAME_REPEAT_MS until
 * one arrives, so no front end ever gets a frame it cannot decode.
 */
export class DecodableChains extends TypedEmitter<DecodableChainsEvents> {
  readonly #decode: readonly VideoCodec[];
  readonly #repeatMs: number;
  /** Per stream, the frame number last taken; absent while its chain is broken. */
  readonly #last = new Map<number, number>();
  #waitingFor: number | null = null;
  #arrivedAt = 0;
  #askedAt = 0;
  #timer: NodeJS.Timeout | null = null;
  #requested = 0;
  #undecodable = 0;
  #closed = false;

  constructor(decode: readonly VideoCodec[], repeatMs = KEYFRAME_REPEAT_MS) {
    super();
    this.#decode = decode;
    this.#repeatMs = repeatMs;
  }

  get requested(): number {
    return this.#requested;
  }

  get undecodable(): number {
    return this.#undecodable;
  }

  /** Frames must come in increasing order per stream (the reassembler's guarantee). */
  accept(meta: FrameMeta, now: number): boolean {
    this.#arrivedAt = now;
    // Asking again would not help: the sender chooses the codec from what we announced.
    if (!this.#decode.includes(meta.codec)) {
      this.#undecodable++;
      return false;
    }
    const last = this.#last.get(meta.stream);
    if (meta.keyframe || (last !== undefined && meta.frameNumber === (last + 1) >>> 0)) {
      this.#last.set(meta.stream, meta.frameNumber);
      // Any keyframe ends the wait: the sender may have moved us to another stream meanwhile.
      if (meta.keyframe) this.#stopWaiting();
      return true;
    }
    this.#undecodable++;
    this.breakChain(meta.stream, now);
    return false;
  }

  /** Takes no more deltas of `stream` until a keyframe, and asks for one. */
  breakChain(stream: number, now: number): void {
    if (this.#closed) return;
    this.#last.delete(stream);
    this.#arrivedAt = Math.max(this.#arrivedAt, now);
    const asking = this.#waitingFor !== null;
    this.#waitingFor = stream;
    if (asking) {
      if (now - this.#askedAt >= KEYFRAME_REASK_ON_EVIDENCE_MS) this.#ask(now);
      return;
    }
    this.#ask(now);
    this.#timer = setInterval(() => {
      const at = Date.now();
      if (at - this.#arrivedAt > GIVE_UP_AFTER_MS) this.#stopWaiting();
      else if (at - this.#askedAt >= this.#repeatMs * 0.9) this.#ask(at);
    }, this.#repeatMs);
  }

  /** Idempotent: stops asking. */
  close(): void {
    this.#closed = true;
    this.#stopWaiting();
    this.removeAllListeners();
  }

  #ask(now: number): void {
    if (this.#waitingFor === null) return;
    this.#askedAt = now;
    this.#requested++;
    this.emit('request', this.#waitingFor);
  }

  #stopWaiting(): void {
    this.#waitingFor = null;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}
