import type { PlayoutSlot } from '../../protocol/audio/jitter-buffer.js';
import { JitterBuffer } from '../../protocol/audio/jitter-buffer.js';
import { TypedEmitter } from '../base/typed-emitter.js';
import type { Logger } from '../base/logger.js';
import type { ReceivedVoice } from '../media/voice-receiver.js';
import { SampleWindow } from '../media/rate-window.js';

/** One member's 20 ms of playout: what its jitter buffer says to play at `at` (our clock, ms). */
export interface PlayoutFrame {
  readonly from: string;
  readonly at: number;
  readonly slot: PlayoutSlot;
}

export interface VoicePlayoutEvents {
  'voice-playout': [PlayoutFrame];
}

export interface MemberPlayoutStats {
  packets: number;
  lost: number;
  concealedMs: number;
  jitterMs: number;
  bufferMs: number;
  /** Playout time − capture time (our clock), over the last 2 s of packets played. */
  delayP50Ms: number | null;
  delayP95Ms: number | null;
}

export const PLAYOUT_FRAME_MS = 20;
/** No voice from anyone for this long stops the clock (no timer churn in a video-only call). */
const IDLE_STOP_MS = 1000;
/** 2 s of 20 ms packets. */
const DELAY_WINDOW = 100;

interface MemberPlayout {
  readonly buffer: JitterBuffer;
  readonly delay: SampleWindow;
}

/** Monotonic milliseconds on the epoch scale (captureTs is epoch ms). */
const monotonicNow = (): number => performance.timeOrigin + performance.now();

/**
 * The node's own playout: one jitter buffer per member, all pulled by one drift-free 20 ms
 * clock. Ticks are deadlines (start + n · 20 ms), not intervals, so timer lateness never
 * accumulates; a late timer plays every missed tick at once. The clock runs only while some
 * member sends voice. Decoding is the consumer's (recorders decode the slots).
 */
export class VoicePlayout extends TypedEmitter<VoicePlayoutEvents> {
  readonly #members = new Map<string, MemberPlayout>();
  readonly #now: () => number;
  #timer: NodeJS.Timeout | null = null;
  #nextTick = 0;
  #lastVoice = 0;
  #closed = false;

  constructor(logger: Logger, now: () => number = monotonicNow) {
    super({ logger, name: 'voice playout' });
    this.#now = now;
  }

  /** True while the playout clock ticks. */
  get running(): boolean {
    return this.#timer !== null;
  }

  push(voice: ReceivedVoice): void {
    if (this.#closed) return;
    let member = this.#members.get(voice.from);
    if (!member) {
      member = { buffer: new JitterBuffer(), delay: new SampleWindow(DELAY_WINDOW) };
      this.#members.set(voice.from, member);
    }
    const now = this.#now();
    member.buffer.push(voice.header, voice.opus, now);
    this.#lastVoice = now;
    if (!this.#timer) {
      this.#nextTick = now + PLAYOUT_FRAME_MS;
      this.#schedule();
    }
  }

  /** Forgets a member who left. */
  remove(memberId: string): void {
    this.#members.delete(memberId);
  }

  stats(memberId: string): MemberPlayoutStats | null {
    const member = this.#members.get(memberId);
    if (!member) return null;
    const { packets, lost, concealedMs, jitterMs, bufferMs } = member.buffer.stats;
    return {
      packets,
      lost,
      concealedMs,
      jitterMs,
      bufferMs,
      delayP50Ms: member.delay.percentile(50),
      delayP95Ms: member.delay.percentile(95),
    };
  }

  /** Idempotent: stops the clock. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stop();
    this.#members.clear();
    this.removeAllListeners();
  }

  #schedule(): void {
    this.#timer = setTimeout(() => this.#run(), Math.max(0, this.#nextTick - this.#now()));
  }

  #run(): void {
    this.#timer = null;
    const now = this.#now();
    while (!this.#closed && this.#nextTick <= now) {
      const at = this.#nextTick;
      this.#nextTick += PLAYOUT_FRAME_MS;
      this.#tick(at);
    }
    if (this.#closed) return;
    if (now - this.#lastVoice > IDLE_STOP_MS) return;
    this.#schedule();
  }

  #tick(at: number): void {
    for (const [from, member] of this.#members) {
      const slot = member.buffer.pull(at);
      if (slot.kind === 'packet') member.delay.add(Math.max(0, at - slot.header.captureTs));
      this.emit('voice-playout', { from, at, slot });
      if (this.#closed) return;
    }
  }

  #stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
