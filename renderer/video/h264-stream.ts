import type { UiEncodedFrame } from '../../protocol/ui-protocol.js';

/** Constrained baseline, level 3.1 (up to 1280×720 at 30 fps), as the node encodes it. */
export const H264_CODEC = 'avc1.42E01F';
/** How often a stream that waits for a keyframe asks again while deltas keep coming. */
export const KEYFRAME_ASK_MS = 250;
/** A decoder this far behind is not catching up: start again at a keyframe. */
const MAX_DECODE_QUEUE = 60;

export interface H264StreamEvents {
  /** A decoded picture; the receiver draws it and must close it. */
  picture(picture: VideoFrame, frameNumber: number): void;
  /** The chain broke (decode error, a gap, joined mid-chain): ask the sender for a keyframe. */
  needKeyframe(): void;
}

export interface H264StreamStats {
  decoded: number;
  /** Frames not decoded: the chain was broken (they would not decode) or the decoder failed. */
  undecodable: number;
  decodeErrors: number;
  keyframesRequested: number;
  /** False when this browser has no H.264 decoder (WebCodecs missing or without H.264). */
  supported: boolean;
}

/**
 * One H.264 stream decoded with WebCodecs: Annex B access units in (no `description`: SPS
 * and PPS travel in front of every keyframe), pictures out. A delta frame is decoded only
 * when the frame before it was; otherwise the stream waits for a keyframe, and asks for
 * one. The caller keeps the last good picture on screen meanwhile.
 */
export class H264Stream {
  readonly #events: H264StreamEvents;
  #decoder: VideoDecoder | null = null;
  #waiting = true;
  #previous = -1;
  #askedAt = -Infinity;
  #closed = false;
  readonly #stats: H264StreamStats = {
    decoded: 0,
    undecodable: 0,
    decodeErrors: 0,
    keyframesRequested: 0,
    supported: typeof VideoDecoder === 'function',
  };

  constructor(events: H264StreamEvents) {
    this.#events = events;
  }

  get stats(): Readonly<H264StreamStats> {
    return this.#stats;
  }

  push(frame: UiEncodedFrame, now = performance.now()): void {
    if (this.#closed) return;
    if (!this.#stats.supported) {
      this.#stats.undecodable += 1;
      return;
    }
    const inChain = !this.#waiting && frame.frame === this.#previous + 1;
    if (!frame.keyframe && !inChain) {
      this.#stats.undecodable += 1;
      this.#break(now);
      return;
    }
    const decoder = this.#decoderFor();
    if (!decoder) return;
    if (decoder.decodeQueueSize > MAX_DECODE_QUEUE) {
      this.#stats.undecodable += 1;
      this.#break(now);
      return;
    }
    this.#waiting = false;
    this.#previous = frame.frame;
    try {
      decoder.decode(
        new EncodedVideoChunk({
          type: frame.keyframe ? 'key' : 'delta',
          // Carries the frame number through to the picture (µs are only a label here).
          timestamp: frame.frame,
          data: frame.data,
        }),
      );
    } catch {
      // The decoder refused the chunk synchronously (e.g. closed meanwhile).
      this.#failed(now);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#drop();
  }

  #decoderFor(): VideoDecoder | null {
    if (this.#decoder && this.#decoder.state === 'configured') return this.#decoder;
    this.#drop();
    try {
      const decoder: VideoDecoder = new VideoDecoder({
        output: (picture) => {
          if (this.#closed || this.#decoder !== decoder) {
            picture.close();
            return;
          }
          this.#stats.decoded += 1;
          this.#events.picture(picture, picture.timestamp);
        },
        error: () => {
          if (this.#decoder === decoder) this.#failed(performance.now());
        },
      });
      decoder.configure({ codec: H264_CODEC, optimizeForLatency: true });
      this.#decoder = decoder;
      return decoder;
    } catch {
      // configure throws for a codec string this browser does not know.
      this.#stats.supported = false;
      return null;
    }
  }

  /** A decode error: the decoder is closed by now; keep the picture, wait for a keyframe. */
  #failed(now: number): void {
    this.#stats.decodeErrors += 1;
    this.#drop();
    this.#break(now);
  }

  #break(now: number): void {
    if (!this.#waiting) {
      this.#waiting = true;
      // Frames still queued belong to the broken chain.
      this.#drop();
    }
    if (now - this.#askedAt < KEYFRAME_ASK_MS) return;
    this.#askedAt = now;
    this.#stats.keyframesRequested += 1;
    this.#events.needKeyframe();
  }

  #drop(): void {
    const decoder = this.#decoder;
    this.#decoder = null;
    if (decoder && decoder.state !== 'closed') decoder.close();
  }
}
