/**
 * One H.264 stream (one simulcast layer) through libx264 in process, via node-av's FFmpeg
 * bindings. Constrained baseline, no B-frames, Annex B with SPS/PPS before every IDR (x264
 * repeats its headers when no global header is asked for), so any keyframe starts a
 * decodable chain on its own: what WebCodecs' `avc1.42E01F` decoder wants.
 */
import {
  AV_PICTURE_TYPE_I,
  AV_PICTURE_TYPE_NONE,
  AV_PIX_FMT_YUV420P,
  AV_PKT_FLAG_KEY,
  AVERROR_EAGAIN,
  AV_OPT_SEARCH_CHILDREN,
  AV_OPT_TYPE_STRING,
  FF_ENCODER_LIBX264,
} from 'node-av/constants';
import { Codec, CodecContext, Frame, Packet } from 'node-av/lib';
import { MediaError } from './errors.js';

export interface H264EncoderOptions {
  width: number;
  height: number;
  fps: number;
  /** Target bits per second. */
  bitrate: number;
  /** Keyframes come on request; this is only the longest gap between two. */
  keyframeIntervalS?: number;
}

export interface EncodedAccessUnit {
  data: Uint8Array;
  keyframe: boolean;
}

const DEFAULT_KEYFRAME_INTERVAL_S = 10;
const X264_OPTIONS = {
  preset: 'ultrafast',
  tune: 'zerolatency',
  profile: 'baseline',
  // A frame marked I (a keyframe request) becomes an IDR, not merely an I frame that a
  // decoder joining there could not start from.
  'forced-idr': '1',
};
// The VBV buffer in seconds of the target rate: small enough that one frame cannot burst far
// above the link's share (latency), big enough that an IDR is not starved into a smear.
const VBV_SECONDS = 0.5;

function fail(what: string, code: number): never {
  throw new MediaError('ERR_CAPTURE_FAILED', `H.264 encoder: ${what} failed (${code})`);
}

export class H264Encoder {
  readonly width: number;
  readonly height: number;
  readonly #context: CodecContext;
  readonly #packet = new Packet();
  #bitrate: number;
  #lastPts = -1n;
  #closed = false;

  constructor(options: H264EncoderOptions) {
    const { width, height, fps, bitrate } = options;
    const codec = Codec.findEncoderByName(FF_ENCODER_LIBX264);
    if (!codec) throw new MediaError('ERR_CAPTURE_FAILED', 'this FFmpeg build has no libx264');
    this.width = width;
    this.height = height;
    this.#bitrate = bitrate;
    const context = new CodecContext();
    context.allocContext3(codec);
    context.width = width;
    context.height = height;
    context.pixelFormat = AV_PIX_FMT_YUV420P;
    context.timeBase = { num: 1, den: fps } as CodecContext['timeBase'];
    context.framerate = { num: fps, den: 1 } as CodecContext['framerate'];
    context.gopSize = Math.round(fps * (options.keyframeIntervalS ?? DEFAULT_KEYFRAME_INTERVAL_S));
    context.maxBFrames = 0;
    context.threadCount = 1;
    this.#applyRate(context, bitrate);
    for (const [name, value] of Object.entries(X264_OPTIONS)) {
      const set = context.setOption(name, value, AV_OPT_TYPE_STRING, AV_OPT_SEARCH_CHILDREN);
      if (set < 0) {
        context.freeContext();
        fail(`setting ${name}`, set);
      }
    }
    // Options go in above, not as a Dictionary here: node-av 6.1.1 frees a Dictionary that
    // open2 consumed a second time when it is garbage-collected (heap corruption, crash).
    const opened = context.open2Sync(codec, null);
    if (opened < 0) {
      context.freeContext();
      fail('opening libx264', opened);
    }
    this.#context = context;
    this.#packet.alloc();
  }

  get bitrate(): number {
    return this.#bitrate;
  }

  /** Applies from the next frame; libx264 reconfigures itself without a new keyframe. */
  setBitrate(bitrate: number): void {
    if (this.#closed || bitrate === this.#bitrate) return;
    this.#bitrate = bitrate;
    this.#applyRate(this.#context, bitrate);
  }

  /**
   * Encodes one I420 picture (`width`×`height`, planes packed one after the other). `pts`
   * counts frame intervals and must grow; a smaller or equal one is bumped past the last.
   */
  encode(i420: Buffer, pts: number, keyframe: boolean): EncodedAccessUnit {
    if (this.#closed) throw new MediaError('ERR_CAPTURE_FAILED', 'the H.264 encoder is closed');
    const frame = Frame.fromVideoBuffer(i420, {
      width: this.width,
      height: this.height,
      format: AV_PIX_FMT_YUV420P,
    });
    try {
      let next = BigInt(Math.round(pts));
      if (next <= this.#lastPts) next = this.#lastPts + 1n;
      this.#lastPts = next;
      frame.pts = next;
      frame.pictType = keyframe ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
      const sent = this.#context.sendFrameSync(frame);
      if (sent < 0) fail('sending a frame', sent);
    } finally {
      frame.free();
    }
    // zerolatency: no lookahead, no B-frames, so every frame in gives one access unit out.
    const received = this.#context.receivePacketSync(this.#packet);
    if (received === AVERROR_EAGAIN) fail('zero-latency output (no packet)', received);
    if (received < 0) fail('receiving a packet', received);
    const data = this.#packet.data;
    const flags = this.#packet.flags;
    this.#packet.unref();
    if (!data) fail('receiving a packet', 0);
    return {
      // A copy of our own: node-av's buffer is external memory, which the IPC channel's
      // structured clone must not be handed (it crashed the process with an invalid free).
      data: new Uint8Array(data),
      keyframe: (flags & AV_PKT_FLAG_KEY) !== 0,
    };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#packet.free();
    this.#context.freeContext();
  }

  #applyRate(context: CodecContext, bitrate: number): void {
    context.bitRate = BigInt(Math.round(bitrate));
    context.rcMaxRate = BigInt(Math.round(bitrate));
    context.rcBufferSize = Math.round(bitrate * VBV_SECONDS);
  }
}
