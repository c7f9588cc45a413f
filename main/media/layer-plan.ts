/**
 * Which simulcast layers a capture size gives, and what each costs. Layer 0 is the capture
 * size (fitted into 1280×720), then 640 and 320 pixels wide at the capture's aspect ratio,
 * each only when smaller than the one above: 640×480 gives 640×480 and 320×240; 1280×720
 * gives 1280×720, 640×360 and 320×180.
 */
export interface LayerSpec {
  layer: number;
  width: number;
  height: number;
  /** Bits per second. */
  bitrate: number;
}

/** The JPEG fallback's stream number next to H.264 layers (for members that cannot decode H.264). */
export const JPEG_FALLBACK_LAYER = 3;

const MAX_TOP = { width: 1280, height: 720 };
const LOWER_WIDTHS = [640, 320];
/** 320×240 at 30 fps; other sizes scale from it by pixel count to the power below. */
const BASE_BITRATE = 250_000;
const BASE_PIXELS = 320 * 240;
// Bits grow more slowly than pixels (bigger pictures are smoother per pixel): with 0.8 this
// gives ≈0.76 Mb/s at 640×480 and ≈1.8 Mb/s at 1280×720, the design's targets.
const BITRATE_EXPONENT = 0.8;
const MIN_BITRATE = 50_000;
const MAX_BITRATE = 20_000_000;

function even(value: number): number {
  return Math.max(2, 2 * Math.round(value / 2));
}

/** The default target for a picture of this size at `fps` (bits per second, 10 kb/s steps). */
export function defaultBitrate(width: number, height: number, fps = 30): number {
  const bits = BASE_BITRATE * ((width * height) / BASE_PIXELS) ** BITRATE_EXPONENT * (fps / 30);
  return Math.max(MIN_BITRATE, Math.round(bits / 10_000) * 10_000);
}

/** Throws RangeError on a rate that is not a finite number of bits per second in range. */
export function checkBitrate(bitrate: number): number {
  if (!Number.isFinite(bitrate) || bitrate < MIN_BITRATE || bitrate > MAX_BITRATE) {
    throw new RangeError(
      `bad bitrate ${bitrate}: expected ${MIN_BITRATE} to ${MAX_BITRATE} bits per second`,
    );
  }
  return Math.round(bitrate);
}

/**
 * The layers for a capture of `width`×`height`; `bitrates[layer]`, where given, overrides
 * that layer's default target.
 */
export function planLayers(
  width: number,
  height: number,
  fps: number,
  bitrates: readonly (number | undefined)[] = [],
): LayerSpec[] {
  const fit = Math.min(1, MAX_TOP.width / width, MAX_TOP.height / height);
  const sizes = [{ width: even(width * fit), height: even(height * fit) }];
  for (const lower of LOWER_WIDTHS) {
    const top = sizes[0];
    if (top && lower < top.width) {
      sizes.push({ width: lower, height: even((lower * top.height) / top.width) });
    }
  }
  return sizes.map((size, layer) => ({
    layer,
    ...size,
    bitrate: bitrates[layer] ?? defaultBitrate(size.width, size.height, fps),
  }));
}
