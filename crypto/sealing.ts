import nacl from 'tweetnacl';
import { concatBytes } from './bytes.js';
import { CryptoMisuseError } from './errors.js';
import { U64_MAX, requireBytes, requireKey, requireU32, requireU64 } from './guards.js';
import { DEFAULT_WINDOW_SIZE, ReplayWindow, requireWindowSize } from './replay-window.js';
import {
  HEADER_LENGTH,
  SEAL_OVERHEAD,
  SEAL_VERSION,
  decodeHeader,
  encodeHeader,
  nonceFromHeader,
} from './sealed-header.js';

export { SEAL_OVERHEAD } from './sealed-header.js';

export type OpenFailure =
  'truncated' | 'bad-version' | 'unknown-key' | 'forged' | 'replayed' | 'stale';

export type OpenResult =
  | { ok: true; plaintext: Uint8Array; keyId: number; counter: bigint }
  | { ok: false; reason: OpenFailure };

export type OpenStats = Readonly<Record<'opened' | OpenFailure, number>>;

const KEY_LENGTH = nacl.secretbox.keyLength;

/** Seals every message one sending key produces; the counter is what keeps nonces unique. */
export class Sealer {
  readonly #key: Uint8Array;
  readonly #keyId: number;
  readonly #startCounter: bigint;
  #next: bigint;

  /** `startCounter` exists so tests can reach the end of the counter space. */
  constructor(key: Uint8Array, keyId: number, startCounter = 0n) {
    requireKey(key, KEY_LENGTH, 'sealing key');
    requireU32(keyId, 'keyId');
    requireU64(startCounter, 'startCounter');
    this.#key = key.slice();
    this.#keyId = keyId;
    this.#startCounter = startCounter;
    this.#next = startCounter;
  }

  /** Packets sealed by this Sealer so far. */
  get sent(): bigint {
    return this.#next - this.#startCounter;
  }

  seal(plaintext: Uint8Array): Uint8Array {
    requireBytes(plaintext, 'plaintext');
    if (this.#next > U64_MAX) {
      throw new CryptoMisuseError(
        'ERR_COUNTER_EXHAUSTED',
        'counter exhausted: rekey before sealing',
      );
    }
    const header = encodeHeader(this.#keyId, this.#next);
    const box = nacl.secretbox(plaintext, nonceFromHeader(header), this.#key);
    this.#next += 1n;
    return concatBytes(header, box);
  }
}

/** Null unless the packet is long enough to be sealed and has our version. */
export function peekKeyId(packet: Uint8Array): number | null {
  requireBytes(packet, 'packet');
  if (packet.length < SEAL_OVERHEAD || packet[0] !== SEAL_VERSION) return null;
  return decodeHeader(packet).keyId;
}

interface ReceivingKey {
  readonly key: Uint8Array;
  readonly window: ReplayWindow;
}

/**
 * Opens packets from any number of keys, each with its own replay window. Everything that comes
 * off the network gets a result, never an exception, and every outcome is counted.
 */
export class Opener {
  readonly #windowSize: number;
  readonly #keys = new Map<number, ReceivingKey>();
  readonly #stats: Record<'opened' | OpenFailure, number> = {
    opened: 0,
    truncated: 0,
    'bad-version': 0,
    'unknown-key': 0,
    forged: 0,
    replayed: 0,
    stale: 0,
  };

  constructor(options: { windowSize?: number } = {}) {
    this.#windowSize = options.windowSize ?? DEFAULT_WINDOW_SIZE;
    requireWindowSize(this.#windowSize);
  }

  /** A snapshot; counting stays with the Opener. */
  get stats(): OpenStats {
    return { ...this.#stats };
  }

  /**
   * Re-adding a keyId throws: replacing it silently would start a fresh replay window and let
   * every packet already seen under that key be replayed. Remove it first if that is intended.
   */
  addKey(keyId: number, key: Uint8Array): void {
    requireU32(keyId, 'keyId');
    requireKey(key, KEY_LENGTH, 'opening key');
    if (this.#keys.has(keyId)) {
      throw new CryptoMisuseError('ERR_BAD_ARGUMENT', `keyId ${keyId} is already registered`);
    }
    this.#keys.set(keyId, { key: key.slice(), window: new ReplayWindow(this.#windowSize) });
  }

  removeKey(keyId: number): void {
    this.#keys.get(keyId)?.key.fill(0);
    this.#keys.delete(keyId);
  }

  hasKey(keyId: number): boolean {
    return this.#keys.has(keyId);
  }

  open(packet: Uint8Array): OpenResult {
    requireBytes(packet, 'packet');
    if (packet.length < SEAL_OVERHEAD) return this.#reject('truncated');
    if (packet[0] !== SEAL_VERSION) return this.#reject('bad-version');
    const { keyId, counter } = decodeHeader(packet);
    const receiving = this.#keys.get(keyId);
    if (receiving === undefined) return this.#reject('unknown-key');
    // Checked before decrypting so replays cost no crypto, but only recorded after the packet
    // authenticates: otherwise a forgery with a huge counter would push real traffic out as stale.
    const verdict = receiving.window.check(counter);
    if (verdict !== 'fresh') return this.#reject(verdict);
    const nonce = nonceFromHeader(packet);
    const plaintext = nacl.secretbox.open(packet.subarray(HEADER_LENGTH), nonce, receiving.key);
    if (plaintext === null) return this.#reject('forged');
    receiving.window.accept(counter);
    this.#stats.opened++;
    return { ok: true, plaintext, keyId, counter };
  }

  #reject(reason: OpenFailure): OpenResult {
    this.#stats[reason]++;
    return { ok: false, reason };
  }
}
