/**
 * Adaptive jitter buffer for one member's voice packets.
 *
 * A playout clock calls `pull(now)` once per 20 ms; each call yields one slot, in sequence
 * order. The buffer keeps a schedule: packet k is due at
 *
 *   due(k) = captureTs(k) + min d + target − duration(k)
 *
 * (d = arrival − captureTs over the last 2 s, see DelayWindow), i.e. the first pull at or after
 * the packet's nominal arrival plus the target's jitter allowance. The target counts the frame
 * in play: with no jitter and the 20 ms minimum a packet plays at the first pull after it
 * arrives, so mouth-to-ear is the 20 ms capture frame + the network + under one 20 ms pull.
 * Target = clamp(frame + p95 jitter + margin, min, max): it grows at once (an early packet gets
 * a concealed slot before it, stretching the schedule) and shrinks once the 2 s window has
 * forgotten the jitter: its excess over what the window asks decays with a 1 s time constant
 * (at least 10 ms/s), and a frame is dropped at most every 300 ms, one with voice at most every
 * 1 s — unless playout is more than a frame behind the schedule (a stall's worth of packets
 * came at once): then it cuts back to the schedule in one go. A lone burst — a node stalled
 * while its video started — so costs a few seconds of extra delay, not the ~20 s a linear
 * 10 ms/s decay from the 200 ms cap would.
 *
 * Decoding the slots is the consumer's: `packet` → decode, then `Concealer.resume(pcm)`;
 * `conceal` → `Concealer.conceal(samples)`; `silence` → zeros (and `Concealer.played(zeros)`).
 */

import { DelayWindow, unwrapU32 } from './delay-window.js';
import { VOICE_FRAME_SAMPLES, VOICE_SAMPLE_RATE } from './voice-packet.js';
import type { VoiceHeader } from './voice-packet.js';

export interface JitterBufferOptions {
  /** Smallest target, ms: default 20 (one frame). */
  minMs?: number;
  /** Largest target, ms: default 200. */
  maxMs?: number;
  /** Span of the jitter estimate, ms: default 2000. */
  windowMs?: number;
  /** Added to frame + p95 jitter, ms: default 4 (timer noise on the sender and the clock). */
  marginMs?: number;
  /** Cap on queued packets (memory bound): default 128. */
  maxPackets?: number;
}

export type PlayoutSlot =
  | { kind: 'packet'; header: VoiceHeader; payload: Uint8Array }
  | { kind: 'conceal'; samples: number }
  | { kind: 'silence'; samples: number };

export interface JitterBufferStats {
  /** Packets received (queued or late), duplicates excluded. */
  packets: number;
  /** Sequence numbers playout passed without their packet (lost, or arriving after their slot). */
  lost: number;
  /** Packets that arrived after playout passed their slot (also counted in `lost`). */
  late: number;
  duplicates: number;
  /** Audio the consumer had to synthesise for missing packets, ms (DTX/mute pauses excluded). */
  concealedMs: number;
  /** p95 of the relative delay over the window, ms. */
  jitterMs: number;
  /** Audio queued ahead of playout, ms. */
  bufferMs: number;
  targetMs: number;
}

interface Entry {
  header: VoiceHeader;
  payload: Uint8Array;
  seq: number; // unwrapped
  pos: number; // unwrapped
}

/** A sequence jump this large is a new stream (sender restart), not loss or lateness. */
const RESYNC_SEQ = 1000;
/** A "late" packet captured this long after what we played cannot be late: a new stream. */
const RESTART_TS_MS = 100;
/** The target's excess over what the window asks decays this fast (ms per s), at least… */
const TARGET_DECAY_MS_PER_S = 10;
/** …and exponentially with this time constant once the window no longer asks for it. */
const TARGET_DECAY_TAU_MS = 1000;
const SHRINK_INTERVAL_MS = 300;
const VOICE_SHRINK_INTERVAL_MS = 1000;
/** This far behind the target a dropped voice frame costs less than the delay it removes. */
const FAR_BEHIND_FRAMES = 1;
const HYSTERESIS_MS = 2;
/** Longest concealment of an underrun: the Concealer is silent by then; after it, silence. */
const UNDERRUN_CONCEAL_MS = 100;
const SEEN_SLOTS = 1024;

const msOf = (samples: number): number => (samples * 1000) / VOICE_SAMPLE_RATE;

export class JitterBuffer {
  readonly #minMs: number;
  readonly #maxMs: number;
  readonly #marginMs: number;
  readonly #maxPackets: number;
  readonly #delays: DelayWindow;
  #queue: Entry[] = [];
  #seen = new Float64Array(SEEN_SLOTS).fill(Number.NaN);
  #refSeq: number | undefined;
  #refPos = 0;
  #started = false;
  #nextSeq = 0;
  #playPos = 0;
  #frameSamples = VOICE_FRAME_SAMPLES;
  #lastPlayedSeq = 0;
  #lastPlayedTs = 0;
  #targetMs: number;
  #targetAt: number | undefined;
  #lastAdjustMs = Number.NEGATIVE_INFINITY;
  #concealRunMs = 0;
  #pendingUnderrunMs = 0;
  #counts = { packets: 0, lost: 0, late: 0, duplicates: 0, concealedMs: 0 };

  constructor(options: JitterBufferOptions = {}) {
    this.#minMs = options.minMs ?? 20;
    this.#maxMs = options.maxMs ?? 200;
    this.#marginMs = options.marginMs ?? 4;
    this.#maxPackets = options.maxPackets ?? 128;
    const windowMs = options.windowMs ?? 2000;
    if (!(this.#minMs >= 0 && this.#maxMs >= this.#minMs && windowMs > 0 && this.#marginMs >= 0)) {
      throw new RangeError('need 0 ≤ minMs ≤ maxMs, windowMs > 0, marginMs ≥ 0');
    }
    if (!Number.isInteger(this.#maxPackets) || this.#maxPackets < 2) {
      throw new RangeError('maxPackets must be an integer ≥ 2');
    }
    this.#delays = new DelayWindow(windowMs);
    this.#targetMs = this.#minMs;
  }

  get stats(): JitterBufferStats {
    let queued = 0;
    for (const entry of this.#queue) queued += entry.header.samples;
    return {
      ...this.#counts,
      jitterMs: this.#delays.jitter,
      bufferMs: msOf(queued),
      targetMs: this.#targetMs,
    };
  }

  /** Forget the stream and the counters (a new call or member). */
  reset(): void {
    this.#resync();
    this.#delays.clear();
    this.#targetMs = this.#minMs;
    this.#targetAt = undefined;
    this.#lastAdjustMs = Number.NEGATIVE_INFINITY;
    this.#counts = { packets: 0, lost: 0, late: 0, duplicates: 0, concealedMs: 0 };
  }

  push(
    header: VoiceHeader,
    payload: Uint8Array,
    arrivalMs: number,
  ): 'queued' | 'late' | 'duplicate' {
    if (this.#refSeq === undefined) this.#setReference(header);
    let seq = unwrapU32(header.seq, this.#refSeq!);
    const restarted = this.#started
      ? seq - this.#nextSeq > RESYNC_SEQ ||
        this.#nextSeq - seq > RESYNC_SEQ ||
        (seq < this.#nextSeq && header.captureTs > this.#expectedTs() + RESTART_TS_MS)
      : Math.abs(seq - this.#refSeq!) > RESYNC_SEQ;
    if (restarted) {
      this.#resync();
      this.#delays.clear();
      this.#setReference(header);
      seq = header.seq;
    }
    const slot = ((seq % SEEN_SLOTS) + SEEN_SLOTS) % SEEN_SLOTS;
    if (this.#seen[slot] === seq) {
      this.#counts.duplicates++;
      return 'duplicate';
    }
    this.#seen[slot] = seq;
    this.#counts.packets++;
    this.#delays.add(arrivalMs, header.captureTs);
    if (this.#started && seq < this.#nextSeq) {
      this.#counts.late++;
      return 'late';
    }
    const pos = unwrapU32(header.position, this.#refPos);
    if (seq > this.#refSeq!) {
      this.#refSeq = seq;
      this.#refPos = pos;
    }
    const entry: Entry = { header, payload, seq, pos };
    let at = this.#queue.length;
    while (at > 0 && this.#queue[at - 1]!.seq > seq) at--;
    this.#queue.splice(at, 0, entry);
    // Over the cap, the oldest goes: playout is far behind, and passing it counts it as lost.
    if (this.#queue.length > this.#maxPackets) this.#queue.shift();
    return 'queued';
  }

  pull(nowMs: number): PlayoutSlot {
    this.#updateTarget(nowMs);
    if (!this.#started) {
      const head = this.#queue[0];
      if (head === undefined || nowMs < this.#due(head)) return this.#silence();
      this.#started = true;
      this.#nextSeq = head.seq;
      this.#playPos = head.pos;
    }
    const head = this.#queue[0];
    if (head === undefined) return this.#underrun(nowMs);
    if (head.seq > this.#nextSeq) return this.#hole(head, nowMs);
    if (head.pos > this.#playPos) {
      // Position jumped without a sequence gap: the sender paused (DTX, mute). Silence until
      // the packet is due; this re-anchors the schedule to the current target both ways.
      this.#pendingUnderrunMs = 0;
      return nowMs >= this.#due(head) ? this.#play(head) : this.#silence();
    }
    // The packet was merely late if playout held for it: that concealment was real.
    this.#commitUnderrun();
    const lateness = nowMs - this.#due(head);
    if (lateness < -HYSTERESIS_MS) {
      this.#lastAdjustMs = nowMs;
      return this.#conceal();
    }
    const frameMs = msOf(head.header.samples);
    const farBehind = lateness >= (FAR_BEHIND_FRAMES + 1) * frameMs;
    if (
      lateness >= frameMs + HYSTERESIS_MS &&
      nowMs - this.#lastAdjustMs >=
        (head.header.voice && !farBehind ? VOICE_SHRINK_INTERVAL_MS : SHRINK_INTERVAL_MS)
    ) {
      // A whole frame later than the target asks: skip this one to catch up. Far behind (a
      // stall's worth of packets came at once), skip back to the schedule in one cut.
      const frames = farBehind ? Math.floor((lateness - HYSTERESIS_MS) / frameMs) : 1;
      const skipped = this.#skip(frames);
      if (skipped !== head) {
        this.#lastAdjustMs = nowMs;
        return this.#play(skipped);
      }
    }
    return this.#play(head);
  }

  /** Drops up to `frames` packets at the head while the next one follows on; the new head. */
  #skip(frames: number): Entry {
    let head = this.#queue[0]!;
    for (let i = 0; i < frames; i++) {
      const next = this.#queue[1];
      const follows =
        next !== undefined &&
        next.seq === head.seq + 1 &&
        next.pos <= head.pos + head.header.samples;
      if (!follows) break;
      this.#queue.shift();
      head = next;
    }
    return head;
  }

  #setReference(header: VoiceHeader): void {
    this.#refSeq = header.seq;
    this.#refPos = header.position;
  }

  #resync(): void {
    this.#queue = [];
    this.#seen.fill(Number.NaN);
    this.#refSeq = undefined;
    this.#started = false;
    this.#concealRunMs = 0;
    this.#pendingUnderrunMs = 0;
  }

  /** Capture time of the packet at nextSeq − 1, as far as we know it. */
  #expectedTs(): number {
    const passed = this.#nextSeq - 1 - this.#lastPlayedSeq;
    return this.#lastPlayedTs + passed * msOf(this.#frameSamples);
  }

  #due(entry: Entry): number {
    return entry.header.captureTs + this.#delays.min + this.#targetMs - msOf(entry.header.samples);
  }

  #updateTarget(nowMs: number): void {
    const wanted = Math.min(
      this.#maxMs,
      Math.max(this.#minMs, msOf(this.#frameSamples) + this.#delays.jitter + this.#marginMs),
    );
    const elapsed = this.#targetAt === undefined ? 0 : Math.max(0, nowMs - this.#targetAt);
    this.#targetAt = nowMs;
    if (wanted >= this.#targetMs) {
      this.#targetMs = wanted;
      return;
    }
    const excess = this.#targetMs - wanted;
    const decayed = Math.min(
      excess * Math.exp(-elapsed / TARGET_DECAY_TAU_MS),
      excess - (TARGET_DECAY_MS_PER_S * elapsed) / 1000,
    );
    this.#targetMs = wanted + Math.max(0, decayed);
  }

  /** Sequence numbers are missing before `head`. */
  #hole(head: Entry, nowMs: number): PlayoutSlot {
    if (nowMs >= this.#due(head)) {
      this.#counts.lost += head.seq - this.#nextSeq;
      this.#commitUnderrun();
      return this.#play(head);
    }
    // Not due yet: the missing one's slot has come (the schedule is sequential); pass it.
    this.#commitUnderrun();
    this.#counts.lost++;
    this.#nextSeq++;
    this.#playPos = this.#nextSeq === head.seq ? head.pos : this.#playPos + this.#frameSamples;
    return this.#conceal();
  }

  /** Nothing queued: hold the schedule for the packet expected next. */
  #underrun(nowMs: number): PlayoutSlot {
    if (this.#concealRunMs >= UNDERRUN_CONCEAL_MS) return this.#silence();
    // Holding delays the schedule by a frame: no frame drop right after it.
    this.#lastAdjustMs = nowMs;
    // Late packet or the start of a pause? Counted once the next packet tells.
    const slot = this.#conceal();
    this.#counts.concealedMs -= msOf(slot.samples);
    this.#pendingUnderrunMs += msOf(slot.samples);
    return slot;
  }

  #commitUnderrun(): void {
    this.#counts.concealedMs += this.#pendingUnderrunMs;
    this.#pendingUnderrunMs = 0;
  }

  #conceal(): { kind: 'conceal'; samples: number } {
    const samples = this.#frameSamples;
    this.#concealRunMs += msOf(samples);
    this.#counts.concealedMs += msOf(samples);
    return { kind: 'conceal', samples };
  }

  #silence(): PlayoutSlot {
    return { kind: 'silence', samples: this.#frameSamples };
  }

  #play(entry: Entry): PlayoutSlot {
    const at = this.#queue.indexOf(entry);
    if (at >= 0) this.#queue.splice(at, 1);
    this.#nextSeq = entry.seq + 1;
    this.#playPos = entry.pos + entry.header.samples;
    this.#frameSamples = entry.header.samples;
    this.#lastPlayedSeq = entry.seq;
    this.#lastPlayedTs = entry.header.captureTs;
    this.#concealRunMs = 0;
    return { kind: 'packet', header: entry.header, payload: entry.payload };
  }
}
