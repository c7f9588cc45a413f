import { equalBytes, fromBase64, toBase64 } from './bytes.js';
import { CryptoMisuseError } from './errors.js';
import { requireKey } from './guards.js';
import { isPeerId, peerIdFromPublicKey, type TextFileIO } from './identity.js';
import { namesConfusable } from './names.js';
import { VersionedJsonReader } from './versioned-json.js';

/** Trust on first use: the keys we have met, persisted so a changed key is noticed. */

export interface KnownPeer {
  readonly id: string;
  /** Base64 of the 32-byte Ed25519 identity key. */
  readonly publicKey: string;
  readonly name: string;
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** True once the user has compared safety codes with this peer. */
  readonly verified: boolean;
}

export type TrustStatus =
  | { status: 'new' }
  | { status: 'known'; peer: KnownPeer }
  | { status: 'key-changed'; previous: KnownPeer };

const FILE_VERSION = 1;
const PUBLIC_KEY_LENGTH = 32;

export interface KnownPeersOptions {
  /** Changes within this long are saved in one write (a burst of accepts, say). */
  writeDelayMs?: number;
  /** At most this many peers are kept; beyond it the least recently seen goes, verified last. */
  maxPeers?: number;
}

const DEFAULT_WRITE_DELAY_MS = 200;
const DEFAULT_MAX_PEERS = 1000;

function parsePeer(reader: VersionedJsonReader, value: unknown, index: number): KnownPeer {
  const record = reader.record(value, `peers[${index}]`);
  const publicKey = reader.bytes(record, 'publicKey', PUBLIC_KEY_LENGTH);
  const id = reader.string(record, 'id');
  if (!isPeerId(id) || id !== peerIdFromPublicKey(publicKey)) {
    reader.fail(`peers[${index}].id does not belong to its public key`);
  }
  const { firstSeen, lastSeen, verified } = record;
  if (typeof firstSeen !== 'number' || !Number.isFinite(firstSeen)) reader.fail('bad firstSeen');
  if (typeof lastSeen !== 'number' || !Number.isFinite(lastSeen)) reader.fail('bad lastSeen');
  if (typeof verified !== 'boolean') reader.fail('bad verified flag');
  const name = reader.string(record, 'name');
  return Object.freeze({ id, publicKey: toBase64(publicKey), name, firstSeen, lastSeen, verified });
}

function parseKnownPeers(text: string): Map<string, KnownPeer> {
  const reader: VersionedJsonReader = new VersionedJsonReader(
    'ERR_BAD_KNOWN_PEERS_FILE',
    'known peers file',
  );
  const { peers } = reader.parse(text, FILE_VERSION);
  if (!Array.isArray(peers)) reader.fail('peers must be an array');
  const byId = new Map<string, KnownPeer>();
  peers.forEach((value: unknown, index) => {
    const peer = parsePeer(reader, value, index);
    if (byId.has(peer.id)) reader.fail(`peer ${peer.id} is listed twice`);
    byId.set(peer.id, peer);
  });
  return byId;
}

/** A write waiting for its delay to run out, and everyone waiting for it. */
interface PendingWrite {
  timer: ReturnType<typeof setTimeout>;
  done: Promise<void>;
  start: () => void;
}

/**
 * The peers the user dealt with (invited, accepted, verified, trusted), never every key that
 * completed a handshake: a stranger must not be able to claim a name here, nor make us rewrite
 * the file once per connection.
 */
export class KnownPeers {
  readonly #io: TextFileIO;
  readonly #now: () => number;
  readonly #peers: Map<string, KnownPeer>;
  readonly #writeDelayMs: number;
  readonly #maxPeers: number;
  #saving: Promise<void> = Promise.resolve();
  #pending: PendingWrite | null = null;

  private constructor(
    io: TextFileIO,
    now: () => number,
    peers: Map<string, KnownPeer>,
    options: KnownPeersOptions,
  ) {
    this.#io = io;
    this.#now = now;
    this.#peers = peers;
    this.#writeDelayMs = options.writeDelayMs ?? DEFAULT_WRITE_DELAY_MS;
    this.#maxPeers = options.maxPeers ?? DEFAULT_MAX_PEERS;
  }

  /** A missing file is an empty list; a damaged one throws, and the caller decides what to do. */
  static async load(
    io: TextFileIO,
    now: () => number = Date.now,
    options: KnownPeersOptions = {},
  ): Promise<KnownPeers> {
    const text = await io.read();
    return new KnownPeers(
      io,
      now,
      text === null ? new Map<string, KnownPeer>() : parseKnownPeers(text),
      options,
    );
  }

  check(name: string, publicKey: Uint8Array): TrustStatus {
    requireKey(publicKey, PUBLIC_KEY_LENGTH, 'public key');
    const known = this.#peers.get(peerIdFromPublicKey(publicKey));
    if (known !== undefined && equalBytes(fromBase64(known.publicKey), publicKey)) {
      return { status: 'known', peer: known };
    }
    const previous = this.#mostRecentNamed(name);
    return previous === undefined ? { status: 'new' } : { status: 'key-changed', previous };
  }

  /**
   * Adds the key, or refreshes its name and lastSeen. An older entry with the same name is kept,
   * so after a key change both keys are known. Callers decide when to call this after a
   * 'key-changed' verdict: only once the user has explicitly chosen to trust the new key.
   */
  async remember(name: string, publicKey: Uint8Array): Promise<KnownPeer> {
    requireKey(publicKey, PUBLIC_KEY_LENGTH, 'public key');
    if (typeof name !== 'string') {
      throw new CryptoMisuseError('ERR_BAD_ARGUMENT', 'name must be a string');
    }
    const id = peerIdFromPublicKey(publicKey);
    const now = this.#now();
    const existing = this.#peers.get(id);
    const peer: KnownPeer = Object.freeze(
      existing === undefined
        ? {
            id,
            publicKey: toBase64(publicKey),
            name,
            firstSeen: now,
            lastSeen: now,
            verified: false,
          }
        : { ...existing, name, lastSeen: now },
    );
    this.#peers.set(id, peer);
    this.#evictBeyondCap(id);
    await this.#save();
    return peer;
  }

  async markVerified(id: string, verified: boolean): Promise<void> {
    const existing = this.#peers.get(id);
    if (existing === undefined) {
      throw new CryptoMisuseError('ERR_BAD_ARGUMENT', `no known peer with id ${String(id)}`);
    }
    this.#peers.set(id, Object.freeze({ ...existing, verified }));
    await this.#save();
  }

  get(id: string): KnownPeer | undefined {
    return this.#peers.get(id);
  }

  list(): KnownPeer[] {
    return [...this.#peers.values()];
  }

  /** The most recently seen peer, other than `id`, whose name `name` could be taken for. */
  confusableWith(name: string, id: string): KnownPeer | undefined {
    return this.#mostRecentNamed(name, id);
  }

  #mostRecentNamed(name: string, exceptId?: string): KnownPeer | undefined {
    let match: KnownPeer | undefined;
    for (const peer of this.#peers.values()) {
      if (
        peer.id !== exceptId &&
        namesConfusable(peer.name, name) &&
        (match === undefined || peer.lastSeen > match.lastSeen)
      ) {
        match = peer;
      }
    }
    return match;
  }

  /** Writes what is waiting now instead of after its delay (on shutdown). */
  flush(): Promise<void> {
    const pending = this.#pending;
    if (!pending) return this.#saving.catch(() => undefined);
    clearTimeout(pending.timer);
    pending.start();
    return pending.done;
  }

  /** Drops the least recently seen peers beyond the cap, unverified ones first; never `keep`. */
  #evictBeyondCap(keep: string): void {
    while (this.#peers.size > this.#maxPeers) {
      let victim: KnownPeer | undefined;
      for (const peer of this.#peers.values()) {
        if (peer.id === keep) continue;
        const better =
          victim === undefined ||
          (victim.verified && !peer.verified) ||
          (victim.verified === peer.verified && peer.lastSeen < victim.lastSeen);
        if (better) victim = peer;
      }
      if (!victim) return;
      this.#peers.delete(victim.id);
    }
  }

  /**
   * Changes within `writeDelayMs` share one write, so a burst costs one rewrite of the file,
   * not one each. Writes are chained and each writes the state current when its turn comes,
   * so an older list never lands on disk after a newer one. A failed write does not block
   * later ones.
   */
  #save(): Promise<void> {
    if (this.#pending) return this.#pending.done;
    let start: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (start = resolve));
    const done = started.then(() => {
      this.#pending = null;
      const write = this.#saving
        .catch(() => undefined)
        .then(() => this.#io.write(this.#serialize()));
      this.#saving = write;
      return write;
    });
    this.#pending = { timer: setTimeout(start, this.#writeDelayMs), done, start };
    return done;
  }

  #serialize(): string {
    return JSON.stringify({ v: FILE_VERSION, peers: this.list() }, null, 2) + '\n';
  }
}
