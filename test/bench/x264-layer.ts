/**
 * The H.264 route the design chose, driven directly through node-av for the `codec` suite:
 * libx264 constrained baseline, ultrafast/zerolatency, one reference stream per layer, and
 * FFmpeg's H.264 decoder to measure what a receiver would see. Synchronous calls, as in the
 * capture process (a child process of its own, so blocking there blocks no link).
 */
import {
  AV_CODEC_ID_H264,
  AV_OPT_TYPE_STRING,
  AV_PIX_FMT_YUV420P,
  FF_ENCODER_LIBX264,
} from 'node-av/constants';
import { Codec, CodecContext, Frame, Packet, Rational } from 'node-av/lib';

const AVERROR_EAGAIN = -11;
const TIME_BASE = new Rational(1, 30);

function check(ret: number, what: string): void {
  if (ret < 0 && ret !== AVERROR_EAGAIN) throw new Error(`${what} failed (FFmpeg error ${ret})`);
}

export interface X264Settings {
  width: number;
  height: number;
  bitsPerSecond: number;
  /** Frames between keyframes when nobody asks for one. */
  keyframeInterval: number;
}

export class X264Layer {
  readonly #context = new CodecContext();
  readonly #packet = new Packet();
  readonly #settings: X264Settings;
  #pts = 0n;
  #closed = false;

  constructor(settings: X264Settings) {
    this.#settings = settings;
    const codec = Codec.findEncoderByName(FF_ENCODER_LIBX264);
    if (codec === null) throw new Error('node-av has no libx264 encoder');
    const context = this.#context;
    context.allocContext3(codec);
    context.width = settings.width;
    context.height = settings.height;
    context.pixelFormat = AV_PIX_FMT_YUV420P;
    context.timeBase = TIME_BASE;
    context.framerate = new Rational(TIME_BASE.den, TIME_BASE.num);
    const bitRate = BigInt(settings.bitsPerSecond);
    context.bitRate = bitRate;
    // A one-second VBV: the rate holds over any second, not only on average over the clip.
    context.rcMaxRate = bitRate;
    context.rcBufferSize = settings.bitsPerSecond;
    context.gopSize = settings.keyframeInterval;
    context.maxBFrames = 0;
    // One thread per layer: zerolatency's sliced threads would fight the other layer and
    // the filters for this machine's two cores.
    context.threadCount = 1;
    // Set on the context's private options, not passed as a Dictionary to open2: node-av
    // 6.1.1 frees that Dictionary a second time when it is collected (avcodec_open2 has
    // already replaced it), which crashes the process at the next GC.
    const options = {
      preset: 'ultrafast',
      tune: 'zerolatency',
      profile: 'baseline',
      'forced-idr': '1',
    };
    for (const [name, value] of Object.entries(options)) {
      check(context.setOption(name, value, AV_OPT_TYPE_STRING), `libx264 option ${name}`);
    }
    check(context.open2Sync(codec, null), 'opening libx264');
    this.#packet.alloc();
  }

  /** Encodes one I420 picture; returns the Annex B access units it produced (usually one). */
  encode(i420: Buffer): Buffer[] {
    if (this.#closed) throw new Error('X264Layer is closed');
    const { width, height } = this.#settings;
    const frame = Frame.fromVideoBuffer(i420, {
      width,
      height,
      format: AV_PIX_FMT_YUV420P,
      timeBase: TIME_BASE,
    });
    try {
      frame.pts = this.#pts++;
      check(this.#context.sendFrameSync(frame), 'libx264 send');
    } finally {
      frame.free();
    }
    const units: Buffer[] = [];
    while (this.#context.receivePacketSync(this.#packet) >= 0) {
      const data = this.#packet.data;
      if (data !== null) units.push(Buffer.from(data));
      this.#packet.unref();
    }
    return units;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#packet.free();
    this.#context.freeContext();
  }
}

/** FFmpeg's H.264 decoder; hands back each decoded picture's luma plane, rows packed. */
export class H264Decoder {
  readonly #context = new CodecContext();
  readonly #packet = new Packet();
  readonly #frame = new Frame();
  #closed = false;

  constructor() {
    const codec = Codec.findDecoder(AV_CODEC_ID_H264);
    if (codec === null) throw new Error('node-av has no H.264 decoder');
    this.#context.allocContext3(codec);
    this.#context.threadCount = 1;
    check(this.#context.open2Sync(codec, null), 'opening the H.264 decoder');
    this.#packet.alloc();
    this.#frame.alloc();
  }

  decode(accessUnit: Buffer): Buffer[] {
    if (this.#closed) throw new Error('H264Decoder is closed');
    this.#packet.data = accessUnit;
    check(this.#context.sendPacketSync(this.#packet), 'H.264 decode');
    this.#packet.unref();
    const lumas: Buffer[] = [];
    while (this.#context.receiveFrameSync(this.#frame) >= 0) {
      const { width, height } = this.#frame;
      const plane = this.#frame.data?.[0];
      const stride = this.#frame.linesize[0] ?? width;
      if (plane === undefined) throw new Error('decoded H.264 picture has no luma plane');
      const luma = Buffer.alloc(width * height);
      for (let row = 0; row < height; row++) {
        plane.copy(luma, row * width, row * stride, row * stride + width);
      }
      lumas.push(luma);
      this.#frame.unref();
    }
    return lumas;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#frame.free();
    this.#packet.free();
    this.#context.freeContext();
  }
}

/** PSNR of two 8-bit planes of equal size, in dB (capped at 100 for identical planes). */
export function psnr(reference: Uint8Array, test: Uint8Array): number {
  if (reference.length !== test.length || reference.length === 0) {
    throw new Error(`PSNR of planes of ${reference.length} and ${test.length} bytes`);
  }
  let squaredError = 0;
  for (let i = 0; i < reference.length; i++) {
    const difference = (reference[i] ?? 0) - (test[i] ?? 0);
    squaredError += difference * difference;
  }
  if (squaredError === 0) return 100;
  return 10 * Math.log10((255 * 255 * reference.length) / squaredError);
}
