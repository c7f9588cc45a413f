/**
 * Pictures of a member on demand (the `snapshot` command, tests) without decoding every
 * frame as it arrives: per member, the H.264 frames since its last keyframe are kept
 * (bounded) and decoded only when asked, with FFmpeg's decoder through node-av on the libuv
 * pool, then re-encoded as a JPEG by FFmpeg's MJPEG encoder. No OpenCV in this process.
 * A JPEG member's newest frame is answered as it is.
 */
import {
  AV_CODEC_FLAG_QSCALE,
  AV_CODEC_ID_H264,
  AV_CODEC_ID_MJPEG,
  AV_PIX_FMT_YUVJ420P,
  AVERROR_EAGAIN,
  AVERROR_EOF,
  FF_QP2LAMBDA,
  SWS_BILINEAR,
} from 'node-av/constants';
import { Codec, CodecContext, Frame, Packet, SoftwareScaleContext } from 'node-av/lib';
import type { AVPixelFormat } from 'node-av/constants';
import type { FrameMeta } from '../../p2p/media/frame.js';
import type { ReceivedFrame } from '../../p2p/media/receiver.js';
import type { SessionEvent } from '../../protocol/api.js';
import type { EncodedFrame } from './capture-protocol.js';
import { MediaError } from './errors.js';

/** A frame as the wire carries it (its stream does not matter here) and its bytes. */
export type SnapshotInput = Omit<FrameMeta, 'stream'> & { data: Uint8Array };

export interface Snapshot {
  frameNumber: number;
  captureTs: number;
  width: number;
  height: number;
  jpeg: Uint8Array;
}

/** A chain longer than this (≈20 s at 30 fps, or this many bytes) is dropped until the next keyframe. */
const MAX_CHAIN_FRAMES = 600;
const MAX_CHAIN_BYTES = 16 * 1024 * 1024;
/** MJPEG quantiser, 2 (best) to 31: 3 looks like the sender's q75 JPEGs. */
const JPEG_QSCALE = 3;

interface Chain {
  frames: SnapshotInput[];
  bytes: number;
}

export class SnapshotDecoder {
  readonly #chains = new Map<string, Chain>();
  /** Frames that could not join a chain (a delta with no keyframe before it, or over the bound). */
  #unchained = 0;

  get unchained(): number {
    return this.#unchained;
  }

  push(member: string, frame: SnapshotInput | null): void {
    if (!frame) return;
    if (frame.codec === 'jpeg' || frame.keyframe) {
      this.#chains.set(member, { frames: [frame], bytes: frame.data.byteLength });
      return;
    }
    const chain = this.#chains.get(member);
    const last = chain?.frames.at(-1);
    if (!chain || last?.codec !== 'h264') {
      this.#unchained += 1;
      return;
    }
    chain.frames.push(frame);
    chain.bytes += frame.data.byteLength;
    if (chain.frames.length > MAX_CHAIN_FRAMES || chain.bytes > MAX_CHAIN_BYTES) {
      this.#chains.delete(member);
      this.#unchained += 1;
    }
  }

  /** A frame from the call (its receiver emits only frames whose chain is whole). */
  pushReceived(frame: ReceivedFrame): void {
    this.push(frame.from, { ...frame.meta, data: frame.data });
  }

  forget(member: string): void {
    this.#chains.delete(member);
  }

  /** Forgets every member but `keep` (ourselves, whose capture goes on after a call). */
  clear(keep?: string): void {
    for (const member of [...this.#chains.keys()]) if (member !== keep) this.#chains.delete(member);
  }

  /** The member's newest picture as a JPEG; null when none is decodable. Throws MediaError. */
  async take(member: string): Promise<Snapshot | null> {
    const frames = this.#chains.get(member)?.frames.slice();
    const last = frames?.at(-1);
    if (!frames || !last) return null;
    const { frameNumber, captureTs, width, height } = last;
    if (last.codec === 'jpeg') return { frameNumber, captureTs, width, height, jpeg: last.data };
    const picture = await decodeLast(frames);
    try {
      const jpeg = await encodeJpeg(picture);
      return { frameNumber, captureTs, width: picture.width, height: picture.height, jpeg };
    } finally {
      picture.free();
    }
  }
}

export function snapshotEvent(peer: string, shot: Snapshot): SessionEvent {
  const { frameNumber: frame, width, height, captureTs } = shot;
  const jpeg = Buffer.from(shot.jpeg).toString('base64');
  return { event: 'snapshot', peer, frame, width, height, captureTs, jpeg };
}

/** What a snapshot of our own video shows: the best layer. */
export function snapshotInputOf(frame: EncodedFrame): SnapshotInput | null {
  const top = frame.layers[0];
  return top ? { frameNumber: frame.frameNumber, captureTs: frame.captureTs, ...top } : null;
}

function check(what: string, code: number): void {
  if (code < 0 && code !== AVERROR_EAGAIN) {
    throw new MediaError('ERR_BAD_IMAGE', `H.264 snapshot: ${what} failed (${code})`);
  }
}

/** Decodes the chain (keyframe first) and returns its last picture; the caller frees it. */
export async function decodeLast(frames: readonly SnapshotInput[]): Promise<Frame> {
  const codec = Codec.findDecoder(AV_CODEC_ID_H264);
  if (!codec) throw new MediaError('ERR_BAD_IMAGE', 'this FFmpeg build has no H.264 decoder');
  const context = new CodecContext();
  context.allocContext3(codec);
  context.threadCount = 1;
  const packet = new Packet();
  packet.alloc();
  let latest: Frame | null = null;
  const frame = new Frame();
  frame.alloc();
  try {
    check('opening the decoder', await context.open2(codec, null));
    const drain = async (): Promise<void> => {
      while ((await context.receiveFrame(frame)) >= 0) {
        latest?.free();
        latest = frame.clone();
        frame.unref();
      }
    };
    for (const input of frames) {
      packet.data = Buffer.from(input.data.buffer, input.data.byteOffset, input.data.byteLength);
      check('decoding a frame', await context.sendPacket(packet));
      packet.unref();
      await drain();
    }
    const flushed = await context.sendPacket(null);
    if (flushed !== AVERROR_EOF) check('flushing the decoder', flushed);
    await drain();
  } catch (err: unknown) {
    (latest as Frame | null)?.free();
    throw err;
  } finally {
    frame.free();
    packet.free();
    context.freeContext();
  }
  if (!latest) throw new MediaError('ERR_BAD_IMAGE', 'H.264 snapshot: nothing decoded');
  return latest;
}

/** A decoded picture (any pixel format swscale reads) as a JPEG. */
export async function encodeJpeg(picture: Frame): Promise<Uint8Array> {
  const { width, height } = picture;
  const codec = Codec.findEncoder(AV_CODEC_ID_MJPEG);
  if (!codec) throw new MediaError('ERR_BAD_IMAGE', 'this FFmpeg build has no JPEG encoder');
  // H.264 from the camera is limited range; a JPEG is full range (the "J" formats).
  const scaler = new SoftwareScaleContext();
  scaler.getContext(
    width,
    height,
    picture.format as AVPixelFormat,
    width,
    height,
    AV_PIX_FMT_YUVJ420P,
    SWS_BILINEAR,
  );
  const full = new Frame();
  full.alloc();
  full.width = width;
  full.height = height;
  full.format = AV_PIX_FMT_YUVJ420P;
  const context = new CodecContext();
  context.allocContext3(codec);
  context.width = width;
  context.height = height;
  context.pixelFormat = AV_PIX_FMT_YUVJ420P;
  context.timeBase = { num: 1, den: 30 } as CodecContext['timeBase'];
  context.setFlags(AV_CODEC_FLAG_QSCALE);
  context.globalQuality = JPEG_QSCALE * FF_QP2LAMBDA;
  const packet = new Packet();
  packet.alloc();
  try {
    check('preparing the picture', scaler.initContext());
    check('preparing the picture', full.getBuffer());
    check('converting the picture', await scaler.scaleFrame(full, picture));
    check('opening the JPEG encoder', await context.open2(codec, null));
    full.quality = JPEG_QSCALE * FF_QP2LAMBDA;
    full.pts = 0n;
    check('encoding the JPEG', await context.sendFrame(full));
    check('encoding the JPEG', await context.receivePacket(packet));
    const data = packet.data;
    if (!data) throw new MediaError('ERR_BAD_IMAGE', 'H.264 snapshot: empty JPEG');
    return new Uint8Array(data);
  } finally {
    packet.free();
    context.freeContext();
    full.free();
    scaler.freeContext();
  }
}
