import { HandshakeCookies } from '../../crypto/index.js';
import { TokenBucket, type TokenBucketRate } from '../base/token-bucket.js';

/**
 * Decides, before any expensive work, what a responder does with a hello. Answering one costs
 * a scalar multiplication and a signature before the initiator has proved anything, so hellos
 * are budgeted: per remote address, for the whole node, and under load (many hellos arriving)
 * a hello must first echo a cookie bound to its address (see crypto/handshake-cookie.ts).
 */
export interface HandshakeLimits {
  /** Every hello from one remote address, the ones that only fetch a cookie included. */
  readonly perSource: TokenBucketRate;
  /** Hellos answered with real work, from everyone together. */
  readonly global: TokenBucketRate;
  /** Hello arrivals beyond this rate mean load: then a hello must echo a valid cookie. */
  readonly load: TokenBucketRate;
  /** Remote addresses tracked at once; the least recently seen is forgotten first. */
  readonly maxSources: number;
}

/*
 * A legitimate peer dials at most about once a second (relinks, redials). The node-wide budget
 * (24 answers/s at ~7 ms each) keeps the key exchange under a fifth of one core whatever
 * arrives, and is three times what eight flooding addresses may take, so a newcomer still
 * finds tokens left.
 */
export const DEFAULT_HANDSHAKE_LIMITS: HandshakeLimits = {
  perSource: { burst: 8, perSecond: 1 },
  global: { burst: 32, perSecond: 24 },
  load: { burst: 16, perSecond: 8 },
  maxSources: 4096,
};

export type HelloAdmission =
  | { readonly verdict: 'proceed' }
  | { readonly verdict: 'cookie'; readonly message: Uint8Array }
  | { readonly verdict: 'rate-limited' | 'busy' };

export interface HandshakeGateStats {
  hellos: number;
  /** Answered with the full reply. */
  answered: number;
  /** Answered with a cookie instead. */
  cookied: number;
  /** Over their address's budget. */
  rateLimited: number;
  /** Over the node's budget. */
  busy: number;
}

export class HandshakeGate {
  readonly stats: HandshakeGateStats = {
    hellos: 0,
    answered: 0,
    cookied: 0,
    rateLimited: 0,
    busy: 0,
  };
  readonly #limits: HandshakeLimits;
  readonly #now: () => number;
  readonly #sources = new Map<string, TokenBucket>();
  readonly #global: TokenBucket;
  readonly #load: TokenBucket;
  readonly #cookies: HandshakeCookies;

  constructor(limits: Partial<HandshakeLimits> = {}, now: () => number = Date.now) {
    this.#limits = { ...DEFAULT_HANDSHAKE_LIMITS, ...limits };
    this.#now = now;
    this.#global = new TokenBucket(this.#limits.global, now);
    this.#load = new TokenBucket(this.#limits.load, now);
    this.#cookies = new HandshakeCookies({ now });
  }

  admit(source: string, hello: Uint8Array): HelloAdmission {
    this.stats.hellos++;
    // A cookie costs one MAC, so it is handed out before any budget is charged: only hellos
    // that would get the expensive answer spend their address's tokens.
    if (!this.#load.take() && !this.#cookies.helloHasValidCookie(source, hello)) {
      this.stats.cookied++;
      return { verdict: 'cookie', message: this.#cookies.cookieMessage(source) };
    }
    if (!this.#sourceBucket(source).take()) {
      this.stats.rateLimited++;
      return { verdict: 'rate-limited' };
    }
    if (!this.#global.take()) {
      this.stats.busy++;
      return { verdict: 'busy' };
    }
    this.stats.answered++;
    return { verdict: 'proceed' };
  }

  /**
   * True when `source` has no token left: its connection can be dropped on accept, before
   * it costs a connection object, a cookie or a frame. Counted as rate-limited.
   */
  refuseOnAccept(source: string): boolean {
    const bucket = this.#sources.get(source);
    if (bucket === undefined || bucket.available >= 1) return false;
    this.stats.rateLimited++;
    return true;
  }

  #sourceBucket(source: string): TokenBucket {
    const known = this.#sources.get(source);
    // Re-inserted on every use, so the map's order runs from least to most recently seen.
    this.#sources.delete(source);
    const bucket = known ?? new TokenBucket(this.#limits.perSource, this.#now);
    this.#sources.set(source, bucket);
    if (this.#sources.size > this.#limits.maxSources) {
      const oldest = this.#sources.keys().next().value;
      if (oldest !== undefined) this.#sources.delete(oldest);
    }
    return bucket;
  }
}
