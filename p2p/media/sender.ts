import { DEFAULT_CHUNK_BYTES, splitIntoChunks } from './chunks.js';
import type { VideoCodec } from './frame.js';
import { encodeFramePayload } from './frame.js';
import type { OwnMediaKey } from './keys.js';
import { KeyframeLimiter } from './keyframe-limiter.js';
import type { LinkReport } from './layer-selector.js';
import { BUFFERED_LIMIT_BYTES, LayerSelector } from './layer-selector.js';
import type { EncodeTarget } from './quality-controller.js';
import { QualityController } from './quality-controller.js';
import { RateWindow } from './rate-window.js';
import type { PacedTarget } from './video-pacer.js';
import { TypedEmitter } from '../base/typed-emitter.js';

/** One layer of a camera frame as the capture encoded it (0 = best). */
export interface LayerFrame {
  layer: number;
  codec: VideoCodec;
  /** Always true for a JPEG. */
  keyframe: boolean;
  width: number;
  height: number;
  /** An H.264 access unit (Annex B) or a JPEG. */
  data: Uint8Array;
}

/** One camera frame, all its layers (the capture's EncodedFrame). */
export interface LayeredFrame {
  frameNumber: number;
  captureTs: number;
  layers: readonly LayerFrame[];
}

/** A frame as a JPEG-only capture makes it: one layer. */
export interface OutgoingFrame {
  frameNumber: number;
  captureTs: number;
  width: number;
  height: number;
  jpeg: Uint8Array;
}

export interface MediaSenderStats {
  fps: number;
  kbps: number;
  quality: number;
  scale: number;
  width: number;
  height: number;
  /** Frames a link could not take because too much was still queued for it. */
  skipped: number;
  sealMs: number;
  /** Id of the media key frames are sealed with now (changes at every rotation). */
  keyId: number;
  /** Keyframes asked of the encoder (after rate limiting). */
  keyframesForced: number;
  /** Per member, the layer its link gets now (null: waiting for a keyframe). */
  layers: { peer: string; layer: number | null }[];
}

export interface MediaSenderEvents {
  /** The JPEG quality controller asks the capture for another quality or size. */
  adapt: [EncodeTarget];
  /** Ask the encoder for a keyframe on this layer (rate-limited). */
  'keyframe-needed': [{ layer: number }];
  /** Some member cannot decode H.264: the capture should (or need no longer) add a JPEG layer. */
  'jpeg-fallback': [{ needed: boolean }];
}

/** Where one member's chunks go (its pacer) and who it is. */
export interface SendTarget {
  readonly peerId: string;
  readonly link: PacedTarget;
}

/** A receiver losing more than this share of JPEG frames in a report means "send less". */
const JPEG_LOSS_LIMIT = 0.25;
/** Above this a delta frame is skipped (breaking that link's chain until a keyframe). */
const SKIP_ABOVE_BYTES = 2 * BUFFERED_LIMIT_BYTES;
/** A keyframe asked for a link that has not come after this long is asked for again. */
const REASK_AFTER_MS = 300;
const BOTH: readonly VideoCodec[] = ['h264', 'jpeg'];

/** Our video towards one member. */
interface Outgoing {
  readonly selector: LayerSelector;
  /** The layer whose chain this member is on; null until a keyframe of `wanted` goes out. */
  layer: number | null;
  wanted: number | null;
  askedAt: number;
  decode: readonly VideoCodec[];
  /** What it got last (none yet: absent). */
  codec?: VideoCodec;
}

/** A legacy single JPEG frame as a one-layer frame. */
export function asLayered(frame: LayeredFrame | OutgoingFrame): LayeredFrame {
  if ('layers' in frame) return frame;
  const { frameNumber, captureTs, width, height, jpeg } = frame;
  const layer = { layer: 0, codec: 'jpeg', keyframe: true, width, height, data: jpeg } as const;
  return { frameNumber, captureTs, layers: [layer] };
}

/**
 * Seals each layer of a frame once with our media key (only the layers some member gets),
 * splits it into chunks and offers each member the layer its LayerSelector chose. A member is
 * moved to another layer only at that layer's keyframe (asked of the encoder at once);
 * a member whose queue is too full skips the frame, and for H.264 then waits for a keyframe.
 * Frame numbers count per layer.
 */
export class MediaSender extends TypedEmitter<MediaSenderEvents> {
  readonly #key: OwnMediaKey;
  readonly #controller: QualityController;
  readonly #limiter = new KeyframeLimiter();
  readonly #outgoing = new Map<string, Outgoing>();
  readonly #numbers = new Map<number, number>();
  readonly #frames = new RateWindow(1000);
  readonly #bytes = new RateWindow(1000);
  #skipped = 0;
  #jpegCongested = false;
  #fallback = false;
  #last = { width: 0, height: 0, sealMs: 0 };

  constructor(key: OwnMediaKey, now = Date.now()) {
    super();
    this.#key = key;
    this.#controller = new QualityController(now);
    this.#limiter.on('force', (layer) => this.emit('keyframe-needed', { layer }));
  }

  get target(): EncodeTarget {
    return this.#controller.target;
  }

  send(
    input: LayeredFrame | OutgoingFrame,
    targets: Iterable<SendTarget>,
    now = Date.now(),
    chunkBytes = DEFAULT_CHUNK_BYTES,
  ): void {
    const frame = asLayered(input);
    // Numbered per layer as the encoder made them, whoever gets them: a chain has no gaps.
    const numbers = new Map<number, number>();
    for (const layer of frame.layers) {
      const next = ((this.#numbers.get(layer.layer) ?? -1) + 1) >>> 0;
      this.#numbers.set(layer.layer, next);
      numbers.set(layer.layer, next);
    }
    const sealed = new Map<number, { chunks: Uint8Array[]; bytes: number }>();
    const seal = (layer: LayerFrame): { chunks: Uint8Array[]; bytes: number } => {
      const known = sealed.get(layer.layer);
      if (known) return known;
      const made = this.#seal(frame, layer, numbers.get(layer.layer) ?? 0, chunkBytes);
      sealed.set(layer.layer, made);
      return made;
    };
    let sentAny = false;
    for (const { peerId, link } of targets) {
      if (link.state !== 'open') continue;
      const layer = this.#choose(this.#outgoingOf(peerId, now), frame, now);
      if (!layer || !this.#admit(peerId, layer, link.mediaBufferedAmount, now)) continue;
      const { chunks, bytes } = seal(layer);
      for (const chunk of chunks) link.sendMedia(chunk);
      this.#bytes.add(bytes, now);
      sentAny = true;
    }
    for (const layer of frame.layers) if (layer.keyframe) this.#limiter.sent(layer.layer);
    if (sentAny) this.#frames.add(1, now);
    this.#adapt(now);
  }

  /** A member's report of what arrived of ours (see MediaReceiver.takeReport). */
  onReport(peerId: string, report: LinkReport, now = Date.now()): void {
    const outgoing = this.#outgoingOf(peerId, now);
    outgoing.selector.onReport(report, now);
    const total = report.received + report.lost;
    if (outgoing.codec === 'jpeg' && total > 0 && report.lost / total > JPEG_LOSS_LIMIT)
      this.#jpegCongested = true;
    this.#adapt(now);
  }

  /** A member asks for a keyframe of a stream (it lost a frame, or its decoder failed). */
  onKeyframeRequest(peerId: string, stream: number): void {
    const outgoing = this.#outgoing.get(peerId);
    if (outgoing && (stream === outgoing.layer || stream === outgoing.wanted)) {
      this.#limiter.request(stream);
    }
  }

  /** What a member's front end decodes (its `codecs` message). */
  setDecoders(peerId: string, decode: readonly VideoCodec[], now = Date.now()): void {
    this.#outgoingOf(peerId, now).decode = decode;
    this.#updateFallback();
  }

  /** A (new) link to the member opened: it has none of our chain, start at a keyframe. */
  restart(peerId: string, now = Date.now()): void {
    const outgoing = this.#outgoingOf(peerId, now);
    outgoing.layer = null;
    outgoing.askedAt = -Infinity;
  }

  remove(peerId: string): void {
    this.#outgoing.delete(peerId);
    this.#updateFallback();
  }

  stats(now = Date.now()): MediaSenderStats {
    const target = this.#controller.target;
    const layers = [...this.#outgoing].map(([peer, { layer }]) => ({ peer, layer }));
    return {
      fps: this.#frames.countRate(now),
      kbps: (this.#bytes.sumRate(now) * 8) / 1000,
      quality: target.quality,
      scale: target.scale,
      width: this.#last.width,
      height: this.#last.height,
      skipped: this.#skipped,
      sealMs: this.#last.sealMs,
      keyId: this.#key.keyId,
      keyframesForced: this.#limiter.forced,
      layers,
    };
  }

  /** Idempotent: drops pending keyframe requests. */
  close(): void {
    this.#limiter.close();
    this.#outgoing.clear();
    this.removeAllListeners();
  }

  #outgoingOf(peerId: string, now: number): Outgoing {
    let outgoing = this.#outgoing.get(peerId);
    if (!outgoing) {
      const selector = new LayerSelector(now);
      outgoing = { selector, layer: null, wanted: null, askedAt: -Infinity, decode: BOTH };
      this.#outgoing.set(peerId, outgoing);
    }
    return outgoing;
  }

  /** The layer of `frame` this member gets, if any; switches it at a keyframe. */
  #choose(outgoing: Outgoing, frame: LayeredFrame, now: number): LayerFrame | null {
    // H.264 when the member decodes it and the frame has it (not with --codec jpeg).
    const h264 = outgoing.decode.includes('h264') && frame.layers.some((l) => l.codec === 'h264');
    const codec = h264 ? 'h264' : 'jpeg';
    if (!outgoing.decode.includes(codec)) return null;
    outgoing.codec = codec;
    const usable = frame.layers.filter((l) => l.codec === codec).sort((x, y) => x.layer - y.layer);
    if (usable.length === 0) return null;
    outgoing.selector.maxLayer = usable.length - 1;
    const wanted = usable[outgoing.selector.layer] ?? usable[usable.length - 1];
    if (!wanted) return null;
    if (wanted.keyframe || outgoing.layer === wanted.layer) {
      outgoing.layer = wanted.layer;
      outgoing.wanted = null;
      return wanted;
    }
    if (outgoing.wanted !== wanted.layer || now - outgoing.askedAt > REASK_AFTER_MS) {
      outgoing.wanted = wanted.layer;
      outgoing.askedAt = now;
      this.#limiter.request(wanted.layer);
    }
    // Until the new layer's keyframe, the old chain goes on (if this frame has it).
    return usable.find((layer) => layer.layer === outgoing.layer) ?? null;
  }

  /** Whether the member's queue takes this layer frame now; a skipped delta breaks its chain. */
  #admit(peerId: string, layer: LayerFrame, buffered: number, now: number): boolean {
    const outgoing = this.#outgoingOf(peerId, now);
    outgoing.selector.onBuffered(buffered, now);
    // A JPEG costs nothing to skip, so none may wait behind another (the old rule).
    const limit = layer.codec === 'jpeg' ? 0 : SKIP_ABOVE_BYTES;
    if (buffered <= limit) return true;
    this.#skipped++;
    outgoing.selector.onBuffered(Infinity, now);
    if (layer.codec === 'jpeg') this.#jpegCongested = true;
    else if (!layer.keyframe) {
      outgoing.layer = null;
      outgoing.askedAt = -Infinity;
    }
    return false;
  }

  #seal(
    frame: LayeredFrame,
    layer: LayerFrame,
    frameNumber: number,
    chunkBytes: number,
  ): { chunks: Uint8Array[]; bytes: number } {
    const started = performance.now();
    const meta = {
      stream: layer.layer,
      frameNumber,
      captureTs: frame.captureTs,
      width: layer.width,
      height: layer.height,
      codec: layer.codec,
      keyframe: layer.keyframe,
    };
    const sealed = this.#key.seal(encodeFramePayload(meta, layer.data));
    const chunks = splitIntoChunks(sealed, { stream: layer.layer, frameNumber }, chunkBytes);
    if (layer.layer === 0 || this.#last.width === 0) {
      this.#last = { width: layer.width, height: layer.height, sealMs: 0 };
    }
    this.#last.sealMs = performance.now() - started;
    return { chunks, bytes: sealed.length };
  }

  #updateFallback(): void {
    const needed = [...this.#outgoing.values()].some((o) => !o.decode.includes('h264'));
    if (needed === this.#fallback) return;
    this.#fallback = needed;
    this.emit('jpeg-fallback', { needed });
  }

  #adapt(now: number): void {
    const changed = this.#controller.update(this.#jpegCongested, now);
    this.#jpegCongested = false;
    if (changed) this.emit('adapt', changed);
  }
}
