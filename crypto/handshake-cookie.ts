import nacl from 'tweetnacl';
import { concatBytes, utf8 } from './bytes.js';
import { CryptoMisuseError } from './errors.js';
import { requireBytes } from './guards.js';
import type { RandomSource } from './handshake-keys.js';
import { COOKIE_LENGTH, encodeCookie, parseHello } from './handshake-wire.js';
import { hmacSha512 } from './kdf.js';

/**
 * Stateless cookies for the key exchange, after WireGuard's cookie reply. A responder under load
 * answers a hello with MAC(secret, source address) instead of a scalar multiplication and a
 * signature, and does that work only for a hello that echoes a valid cookie: the cost of a
 * hello then needs a round trip from the address it claims. The responder keeps no state per
 * hello; the secret is redrawn every `rotateMs`, and a cookie minted under the previous secret
 * still counts, so a cookie lives between one and two rotations.
 */

export interface HandshakeCookiesOptions {
  /** Milliseconds on any monotonic-enough clock; injected so crypto/ stays free of I/O. */
  readonly now: () => number;
  readonly random?: RandomSource;
  /** Default 120 s, as WireGuard. */
  readonly rotateMs?: number;
}

const COOKIE_LABEL = utf8('meshcall/ake/v1/cookie');
const SECRET_LENGTH = 32;
const DEFAULT_ROTATE_MS = 120_000;

export class HandshakeCookies {
  readonly #now: () => number;
  readonly #random: RandomSource;
  readonly #rotateMs: number;
  #current: Uint8Array;
  #previous: Uint8Array | null = null;
  #drawnAt: number;

  constructor(options: HandshakeCookiesOptions) {
    const rotateMs = options.rotateMs ?? DEFAULT_ROTATE_MS;
    if (!Number.isFinite(rotateMs) || rotateMs <= 0) {
      throw new CryptoMisuseError('ERR_BAD_ARGUMENT', 'rotateMs must be a positive number');
    }
    this.#now = options.now;
    this.#random = options.random ?? ((n) => nacl.randomBytes(n));
    this.#rotateMs = rotateMs;
    this.#current = this.#draw();
    this.#drawnAt = this.#now();
  }

  /** The cookie message (R→I) for a hello from `source`. */
  cookieMessage(source: string): Uint8Array {
    this.#rotate();
    return encodeCookie(this.#mac(this.#current, source));
  }

  /** True when `hello` carries a cookie minted for `source` under the current or previous secret. */
  helloHasValidCookie(source: string, hello: Uint8Array): boolean {
    requireBytes(hello, 'hello');
    const parsed = parseHello(hello);
    if (!parsed.ok || parsed.cookie === null) return false;
    this.#rotate();
    const { cookie } = parsed;
    return [this.#current, this.#previous].some(
      (secret) => secret !== null && nacl.verify(cookie, this.#mac(secret, source)),
    );
  }

  #mac(secret: Uint8Array, source: string): Uint8Array {
    return hmacSha512(secret, concatBytes(COOKIE_LABEL, utf8(source))).slice(0, COOKIE_LENGTH);
  }

  #draw(): Uint8Array {
    const drawn = this.#random(SECRET_LENGTH);
    if (!(drawn instanceof Uint8Array) || drawn.length !== SECRET_LENGTH) {
      throw new CryptoMisuseError(
        'ERR_BAD_ARGUMENT',
        `random(${SECRET_LENGTH}) returned bad bytes`,
      );
    }
    return drawn.slice();
  }

  #rotate(): void {
    const elapsed = this.#now() - this.#drawnAt;
    if (elapsed < this.#rotateMs) return;
    // After two periods of silence the old secret is too old to honour as well.
    this.#previous?.fill(0);
    this.#previous = this.#current;
    if (elapsed >= 2 * this.#rotateMs) {
      this.#previous.fill(0);
      this.#previous = null;
    }
    this.#current = this.#draw();
    this.#drawnAt = this.#now();
  }
}
