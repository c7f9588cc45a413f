import { randomBytes } from 'node:crypto';
import type { Primitives } from '../../crypto/index.js';
import { generateIdentity, naclPrimitives } from '../../crypto/index.js';
import { nativePrimitives } from '../../p2p/base/native-primitives.js';
import type { BenchRow } from './table.js';
import { median } from './table.js';

const SIGNATURES = 64;
const RUNS = 5;

/**
 * What one forged chat batch costs its receiver (issue #9, finding 4): 64 Ed25519
 * verifications of ~200-byte statements, each with a key of its own, all failing — under
 * tweetnacl (the default) and node:crypto (what the node installs), side by side.
 */
export function signatureBench(): Promise<BenchRow[]> {
  const message = new Uint8Array(200);
  const batch = Array.from({ length: SIGNATURES }, () => ({
    signature: new Uint8Array(randomBytes(64)),
    publicKey: generateIdentity().publicKey,
  }));
  const time = (primitives: Primitives): number => {
    const runs: number[] = [];
    for (let run = 0; run < RUNS + 1; run++) {
      const started = performance.now();
      for (const { signature, publicKey } of batch) {
        primitives.verify(message, signature, publicKey);
      }
      if (run > 0) runs.push(performance.now() - started);
    }
    return median(runs);
  };
  const nacl = time(naclPrimitives);
  const native = time(nativePrimitives);
  return Promise.resolve([
    {
      suite: 'signatures',
      metric: `verify ${SIGNATURES} forged signatures, tweetnacl (median of ${RUNS})`,
      value: nacl,
      unit: 'ms',
      target: '',
      met: null,
    },
    {
      suite: 'signatures',
      metric: `verify ${SIGNATURES} forged signatures, node:crypto (median of ${RUNS})`,
      value: native,
      unit: 'ms',
      target: '≤ 25',
      met: native <= 25,
    },
  ]);
}
