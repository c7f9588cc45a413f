import { MAX_FRAME_BYTES, chunkBodyBytes, parseChunk } from './chunks.js';

export interface ReassemblerOptions {
  /** Frames held at once, across all streams of the sender; default 4. */
  maxPendingFrames?: number;
  /** A frame whose first chunk arrived longer ago than this is dropped; default 500 ms. */
  staleAfterMs?: number;
  /** Largest frame accepted; default and upper bound MAX_FRAME_BYTES. */
  maxFrameBytes?: number;
}

/**
 * Counters since construction. `chunks` and `bytes` count every message pushed, valid or
 * not. Each frame is counted at most once across completed, droppedIncomplete and
 * droppedLate, as long as its stragglers arrive within the last SETTLED_MEMORY frames of
 * its stream.
 */
export interface ReassemblerStats {
  chunks: number;
  /** Failed parseChunk, or announced a frame larger than maxFrameBytes. */
  malformed: number;
  /** A chunk index already held, or a chunk of a frame already returned. */
  duplicates: number;
  /** Chunk count or total size disagreeing with the frame's first chunk. */
  inconsistent: number;
  completed: number;
  /** Frames given up on: stale, evicted, or overtaken by a newer completed frame. */
  droppedIncomplete: number;
  /** Frames whose first chunk seen came after a newer frame of their stream was completed. */
  droppedLate: number;
  /**
   * Frames of which no chunk ever came: gaps in a stream's frame numbers between two frames
   * completed one after the other on it (a frame in one message that the partially reliable
   * channel gave up on leaves nothing else behind). Not counted across a change of stream: a
   * sender sends each member one layer at a time.
   */
  neverArrived: number;
  bytes: number;
}

export interface ReassembledFrame {
  stream: number;
  frameNumber: number;
  sealed: Uint8Array;
}

/** No frame completing on a stream for this long means its sender may have restarted. */
export const RESTART_AFTER_SILENCE_MS = 5000;
/**
 * Outcomes remembered per stream, so stragglers of a frame already dealt with are neither
 * counted twice nor start a new copy of it; chunks of one frame arrive close together, so
 * a short memory is enough.
 */
export const SETTLED_MEMORY = 64;

const DEFAULT_MAX_PENDING_FRAMES = 4;
const DEFAULT_STALE_AFTER_MS = 500;
const HALF_U32 = 2 ** 31;

type Outcome = 'completed' | 'dropped' | 'late' | 'unseen';

interface PendingFrame {
  readonly key: number;
  readonly stream: number;
  readonly frameNumber: number;
  readonly chunkCount: number;
  readonly totalBytes: number;
  readonly bodyBytes: number;
  readonly firstAt: number;
  /**
   * The bodies received so far, by chunk index. Storage grows with what arrived, not with
   * what the first chunk announced: a first chunk costs a stranger as much as it costs us.
   */
  readonly parts: (Uint8Array | undefined)[];
  /** Bytes held in `parts`. */
  held: number;
  missing: number;
}

interface StreamState {
  /** Newest frame number completed, null until one completes (or after a restart). */
  newest: number | null;
  /** When a frame last completed, or when this state was created. */
  since: number;
  readonly settled: Map<number, Outcome>;
}

/**
 * Rebuilds sealed frames from the chunks of one sender's unordered, lossy media channel.
 * Only complete frames come out, and on each stream only in increasing frame order: once a
 * frame is returned, nothing older on that stream will be. Memory held is the bytes of the
 * pending frames' chunks that actually arrived, so at most maxPendingFrames × maxFrameBytes
 * whatever arrives.
 */
export class Reassembler {
  readonly #maxPendingFrames: number;
  readonly #staleAfterMs: number;
  readonly #maxFrameBytes: number;
  /** Insertion order is arrival order of each frame's first chunk: eviction takes the first. */
  readonly #pending = new Map<number, PendingFrame>();
  readonly #streams = new Map<number, StreamState>();
  #pendingBytes = 0;
  readonly #stats: ReassemblerStats = {
    chunks: 0,
    malformed: 0,
    duplicates: 0,
    inconsistent: 0,
    completed: 0,
    droppedIncomplete: 0,
    droppedLate: 0,
    neverArrived: 0,
    bytes: 0,
  };
  /** Stream of the frame completed last, of any stream. */
  #lastStream: number | null = null;

  constructor(options: ReassemblerOptions = {}) {
    this.#maxPendingFrames = options.maxPendingFrames ?? DEFAULT_MAX_PENDING_FRAMES;
    this.#staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
    this.#maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES;
    if (!Number.isInteger(this.#maxPendingFrames) || this.#maxPendingFrames < 1) {
      throw new RangeError('maxPendingFrames must be an integer ≥ 1');
    }
    if (typeof this.#staleAfterMs !== 'number' || !(this.#staleAfterMs > 0)) {
      throw new RangeError('staleAfterMs must be a number > 0');
    }
    if (
      !Number.isInteger(this.#maxFrameBytes) ||
      this.#maxFrameBytes < 1 ||
      this.#maxFrameBytes > MAX_FRAME_BYTES
    ) {
      throw new RangeError(`maxFrameBytes must be an integer in [1, ${MAX_FRAME_BYTES}]`);
    }
  }

  /** A snapshot; counting stays with the Reassembler. */
  get stats(): ReassemblerStats {
    return { ...this.#stats };
  }

  /** Bytes of chunk bodies currently held for incomplete frames. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /**
   * Takes one data-channel message; returns the frame it completes, if any. `now` is the
   * caller's clock in ms (monotonic preferred); staleness and restarts are judged by it.
   * Never throws for message content.
   */
  push(message: Uint8Array, now: number): ReassembledFrame | null {
    if (!(message instanceof Uint8Array)) throw new TypeError('message must be a Uint8Array');
    if (typeof now !== 'number' || !Number.isFinite(now)) {
      throw new TypeError('now must be a finite number');
    }
    this.#dropStale(now);
    this.#stats.chunks++;
    this.#stats.bytes += message.length;

    const chunk = parseChunk(message);
    if (!chunk.ok || chunk.totalBytes > this.#maxFrameBytes) {
      this.#stats.malformed++;
      return null;
    }
    const { stream, frameNumber, chunkIndex, chunkCount, totalBytes, body } = chunk;
    const state = this.#streamState(stream, now);

    const outcome = state.settled.get(frameNumber);
    if (outcome === 'unseen') {
      // Counted as never arrived; it did, late.
      this.#stats.neverArrived--;
      this.#stats.droppedLate++;
      settle(state, frameNumber, 'late');
      return null;
    }
    if (outcome !== undefined) {
      // Dropped and late frames are already counted; a chunk of a returned frame is a copy.
      if (outcome === 'completed') this.#stats.duplicates++;
      return null;
    }
    if (state.newest !== null && !isNewer(frameNumber, state.newest)) {
      this.#stats.droppedLate++;
      settle(state, frameNumber, 'late');
      return null;
    }

    const key = stream * 2 ** 32 + frameNumber;
    let frame = this.#pending.get(key);
    const isNew = frame === undefined;
    if (frame === undefined) {
      frame = {
        key,
        stream,
        frameNumber,
        chunkCount,
        totalBytes,
        bodyBytes: chunkBodyBytes(totalBytes, chunkCount),
        firstAt: now,
        parts: new Array<Uint8Array | undefined>(chunkCount),
        held: 0,
        missing: chunkCount,
      };
    } else if (frame.chunkCount !== chunkCount || frame.totalBytes !== totalBytes) {
      this.#stats.inconsistent++;
      return null;
    } else if (frame.parts[chunkIndex] !== undefined) {
      this.#stats.duplicates++;
      return null;
    }

    // A copy: the caller's message buffer is not ours to keep.
    frame.parts[chunkIndex] = body.slice();
    frame.missing--;

    if (frame.missing > 0) {
      if (isNew) this.#hold(frame);
      frame.held += body.length;
      this.#pendingBytes += body.length;
      return null;
    }
    if (!isNew) this.#release(frame);
    return this.#complete(frame, state, now);
  }

  #complete(frame: PendingFrame, state: StreamState, now: number): ReassembledFrame {
    this.#stats.completed++;
    if (state.newest !== null && this.#lastStream === frame.stream) {
      this.#countNeverArrived(frame.stream, state, state.newest, frame.frameNumber);
    }
    this.#lastStream = frame.stream;
    state.newest = frame.frameNumber;
    state.since = now;
    settle(state, frame.frameNumber, 'completed');
    // Showing this frame makes any older one of the stream useless, even if it completed later.
    // Deleting the entry being visited is safe while iterating a Map.
    for (const other of this.#pending.values()) {
      if (other.stream === frame.stream && isNewer(frame.frameNumber, other.frameNumber)) {
        this.#dropIncomplete(other);
      }
    }
    return { stream: frame.stream, frameNumber: frame.frameNumber, sealed: assemble(frame) };
  }

  /** Frames strictly between `from` and `to` of which nothing came (pending ones will be dropped). */
  #countNeverArrived(stream: number, state: StreamState, from: number, to: number): void {
    const gap = (to - from - 1) >>> 0;
    // Only the newest SETTLED_MEMORY of them can be remembered; older ones count unchecked.
    const checked = Math.min(gap, SETTLED_MEMORY);
    this.#stats.neverArrived += gap - checked;
    for (let i = checked; i >= 1; i--) {
      const number = (to - i) >>> 0;
      if (state.settled.has(number) || this.#pending.has(stream * 2 ** 32 + number)) continue;
      this.#stats.neverArrived++;
      // Its stragglers, if any ever come, make it late instead: not a second loss.
      settle(state, number, 'unseen');
    }
  }

  #hold(frame: PendingFrame): void {
    while (this.#pending.size >= this.#maxPendingFrames) {
      const oldest = this.#pending.values().next();
      if (oldest.done === true) break;
      this.#dropIncomplete(oldest.value);
    }
    this.#pending.set(frame.key, frame);
  }

  #release(frame: PendingFrame): void {
    this.#pending.delete(frame.key);
    this.#pendingBytes -= frame.held;
  }

  #dropIncomplete(frame: PendingFrame): void {
    this.#release(frame);
    this.#stats.droppedIncomplete++;
    const state = this.#streams.get(frame.stream);
    if (state) settle(state, frame.frameNumber, 'dropped');
  }

  #dropStale(now: number): void {
    for (const frame of this.#pending.values()) {
      if (now - frame.firstAt > this.#staleAfterMs) this.#dropIncomplete(frame);
    }
  }

  /**
   * A sender that restarts counts from 0 again, which looks late next to what it sent
   * before. Frame numbers alone cannot tell a restart from a straggler, so a stream on
   * which nothing completed for RESTART_AFTER_SILENCE_MS forgets its history: a restarted
   * sender is locked out for at most that long, and a straggler that old is not plausible
   * on a LAN.
   */
  #streamState(stream: number, now: number): StreamState {
    let state = this.#streams.get(stream);
    if (state === undefined || now - state.since > RESTART_AFTER_SILENCE_MS) {
      state = { newest: null, since: now, settled: new Map() };
      this.#streams.set(stream, state);
    }
    return state;
  }
}

/**
 * Serial-number order (RFC 1982) on u32: `a` is newer than `b` when it is less than 2^31
 * ahead modulo 2^32, so the counter may wrap, and a number more than 2^31 behind counts as
 * ahead, i.e. as a restart.
 */
function isNewer(a: number, b: number): boolean {
  const ahead = (a - b) >>> 0;
  return ahead !== 0 && ahead < HALF_U32;
}

/** The whole frame, allocated only once every chunk is here. */
function assemble(frame: PendingFrame): Uint8Array {
  const sealed = new Uint8Array(frame.totalBytes);
  frame.parts.forEach((part, index) => {
    if (part !== undefined) sealed.set(part, index * frame.bodyBytes);
  });
  return sealed;
}

function settle(state: StreamState, frameNumber: number, outcome: Outcome): void {
  state.settled.delete(frameNumber);
  state.settled.set(frameNumber, outcome);
  if (state.settled.size > SETTLED_MEMORY) {
    const oldest = state.settled.keys().next();
    if (oldest.done !== true) state.settled.delete(oldest.value);
  }
}
