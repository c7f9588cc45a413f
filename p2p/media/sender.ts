import { DEFAULT_CHUNK_BYTES, splitIntoChunks } from './chunks.js';
import { encodeFramePayload } from './frame.js';
import type { OwnMediaKey } from './keys.js';
import type { PeerLink } from '../link/peer-link.js';
import type { EncodeTarget } from './quality-controller.js';
import { QualityController } from './quality-controller.js';
import { RateWindow } from './rate-window.js';
import { TypedEmitter } from '../base/typed-emitter.js';

/** A captured, filtered, JPEG-encoded frame on its way out. */
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
  /** Frames a link could not take because the previous one was still queued. */
  skipped: number;
  sealMs: number;
  /** Id of the media key frames are sealed with now (changes at every rotation). */
  keyId: number;
}

export interface MediaSenderEvents {
  adapt: [EncodeTarget];
}

const VIDEO_STREAM = 0;
/** A receiver losing more than this share of frames in a report means "send less". */
const LOSS_LIMIT = 0.25;

/**
 * Seals each frame once with our media key, splits it into chunks and offers it to
 * every open link. A link that still holds part of the previous frame skips this one:
 * never more than one frame queued per link, drop rather than fall behind.
 */
export class MediaSender extends TypedEmitter<MediaSenderEvents> {
  readonly #key: OwnMediaKey;
  readonly #controller: QualityController;
  readonly #frames = new RateWindow(1000);
  readonly #bytes = new RateWindow(1000);
  #skipped = 0;
  #congested = false;
  #last = { width: 0, height: 0, sealMs: 0 };

  constructor(key: OwnMediaKey, now = Date.now()) {
    super();
    this.#key = key;
    this.#controller = new QualityController(now);
  }

  get target(): EncodeTarget {
    return this.#controller.target;
  }

  send(
    frame: OutgoingFrame,
    links: Iterable<Pick<PeerLink, 'state' | 'mediaBufferedAmount' | 'sendMedia'>>,
    now = Date.now(),
    chunkBytes = DEFAULT_CHUNK_BYTES,
  ): void {
    const started = performance.now();
    const sealed = this.#key.seal(
      encodeFramePayload(
        {
          stream: VIDEO_STREAM,
          frameNumber: frame.frameNumber,
          captureTs: frame.captureTs,
          width: frame.width,
          height: frame.height,
        },
        frame.jpeg,
      ),
    );
    const chunks = splitIntoChunks(
      sealed,
      { stream: VIDEO_STREAM, frameNumber: frame.frameNumber },
      chunkBytes,
    );
    this.#last = { width: frame.width, height: frame.height, sealMs: performance.now() - started };
    let sentAny = false;
    for (const link of links) {
      if (link.state !== 'open') continue;
      if (link.mediaBufferedAmount > 0) {
        this.#skipped++;
        this.#congested = true;
        continue;
      }
      for (const chunk of chunks) link.sendMedia(chunk);
      sentAny = true;
      this.#bytes.add(sealed.length, now);
    }
    if (sentAny) this.#frames.add(1, now);
    this.#adapt(now);
  }

  /** A receiver's report (see MediaReceiver.takeReport). */
  onReport(report: { received: number; lost: number }, now = Date.now()): void {
    const total = report.received + report.lost;
    if (total > 0 && report.lost / total > LOSS_LIMIT) this.#congested = true;
    this.#adapt(now);
  }

  stats(now = Date.now()): MediaSenderStats {
    const target = this.#controller.target;
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
    };
  }

  #adapt(now: number): void {
    const changed = this.#controller.update(this.#congested, now);
    this.#congested = false;
    if (changed) this.emit('adapt', changed);
  }
}
