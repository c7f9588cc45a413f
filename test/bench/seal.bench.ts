import { encodeJpeg } from '../../main/media/jpeg.js';
import { renderTestPattern } from '../../main/media/test-pattern.js';
import { splitIntoChunks } from '../../p2p/media/chunks.js';
import { encodeFramePayload } from '../../p2p/media/frame.js';
import { OwnMediaKey } from '../../p2p/media/keys.js';
import type { BenchRow } from './table.js';
import { median } from './table.js';

const FRAMES = 90;
const WARMUP = 10;

/**
 * What the sender does per frame after filtering: JPEG encode (quality 75), then build
 * the payload, seal it once with the media key and cut it into chunks.
 */
export async function sealBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const [width, height, target] of [
    [640, 480, 5],
    [1280, 720, 12],
  ] as const) {
    const key = new OwnMediaKey();
    const totals: number[] = [];
    const seals: number[] = [];
    let bytes = 0;
    for (let i = 0; i < FRAMES + WARMUP; i++) {
      const mat = renderTestPattern(i, Date.now(), width, height);
      const started = performance.now();
      const jpeg = await encodeJpeg(mat, 75);
      const sealStarted = performance.now();
      const sealed = key.seal(
        encodeFramePayload(
          {
            ...{ stream: 0, frameNumber: i, captureTs: Date.now(), width, height },
            ...{ codec: 'jpeg', keyframe: true },
          },
          jpeg,
        ),
      );
      splitIntoChunks(sealed, { stream: 0, frameNumber: i });
      const ended = performance.now();
      if (i < WARMUP) continue;
      totals.push(ended - started);
      seals.push(ended - sealStarted);
      bytes += jpeg.length;
    }
    const size = `${width}×${height}`;
    const total = median(totals);
    rows.push(
      {
        suite: 'sender',
        metric: `encode + seal per frame, ${size} (median of ${FRAMES})`,
        value: total,
        unit: 'ms',
        target: `≤ ${target}`,
        met: total <= target,
      },
      {
        suite: 'sender',
        metric: `seal + chunk alone, ${size}, ${Math.round(bytes / FRAMES / 1024)} KiB frames`,
        value: median(seals),
        unit: 'ms',
        target: '',
        met: null,
      },
    );
  }
  return rows;
}
