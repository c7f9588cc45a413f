import { fromBase64, toBase64 } from '../../crypto/index.js';
import { MeshError, errorText } from '../base/errors.js';
import type { Logger } from '../base/logger.js';
import { TypedEmitter } from '../base/typed-emitter.js';
import type { CallLink } from '../call/call-link.js';
import type { PieceMessage } from '../link/control-messages.js';
import type { PartyManifest } from './manifest.js';
import { chooseHolder, othersShare, selectPieces } from './piece-selection.js';
import { PieceStore, fileSha256, sha256Hex } from './piece-store.js';
import { decodeFrame, partyTag } from './piece-frame.js';
import { PieceUploader } from './piece-uploader.js';

/** Pieces we ask one peer for at once (few, so the bulk channel never crowds out the call). */
const IN_FLIGHT_PER_PEER = 2;
const IN_FLIGHT_TOTAL = 6;
/** A piece with no block for this long is asked of another holder. */
const LATE_MS = 3000;
/** Bad pieces after which we stop asking that peer for anything. */
const BAN_AFTER = 3;
const TICK_MS = 20;
const WINDOW = 2;
const READ_AHEAD = 8;

export interface SwarmEvents {
  progress: [{ have: number; total: number; received: Record<string, number>; uploaded: number }];
  complete: [{ sha256: string; path: string }];
  'bad-piece': [{ from: string; index: number }];
}

export interface SwarmOptions {
  manifest: PartyManifest;
  /** The party's cache folder (e.g. <dataDir>/party-cache/<party>); close() removes it. */
  dir: string;
  localId: string;
  /** The streamer's own file: it holds every piece and reads them from there. */
  sourcePath?: string | undefined;
  logger: Logger;
  random?: () => number;
}

interface Peer {
  readonly link: CallLink;
  readonly holds: Uint8Array;
  readonly uploader: PieceUploader;
  /** Pieces we asked it for. */
  readonly asked: Set<number>;
  bad: number;
}

interface Download {
  from: string;
  readonly bytes: Uint8Array;
  got: number;
  lastAt: number;
}

/**
 * One watch party's piece exchange over the members' links: asks for the pieces this member
 * lacks (see piece-selection.ts), serves the ones it holds, checks each against the signed
 * manifest's SHA-256, keeps them on disk (PieceStore). The per-call coordinator creates one
 * per party, routes the links' piece control messages to handle() and their `bulk` frames
 * to handleBulk(), and closes it when the party ends.
 */
export class Swarm extends TypedEmitter<SwarmEvents> {
  readonly manifest: PartyManifest;
  /** Malformed or unrequested frames and messages, dropped. */
  rejected = 0;
  uploaded = 0;
  readonly received: Record<string, number> = {};
  readonly #store: PieceStore;
  readonly #localId: string;
  readonly #logger: Logger;
  readonly #random: () => number;
  readonly #tag: number;
  readonly #peers = new Map<string, Peer>();
  readonly #downloads = new Map<number, Download>();
  /** Peers that sent a piece late or bad: not asked for that piece again while others hold it. */
  readonly #excluded = new Map<number, Set<string>>();
  readonly #waiters = new Map<number, { resolve: () => void; reject: (e: Error) => void }[]>();
  /** Verified pieces on their way to disk (not to be asked for again meanwhile). */
  readonly #writing = new Set<number>();
  #urgent: number[] = [];
  #playhead = 0;
  #timer: NodeJS.Timeout | null;
  #closed = false;
  #completed = false;
  #reported = { uploaded: 0, at: 0 };

  constructor(o: SwarmOptions) {
    super({ logger: o.logger, name: 'swarm' });
    this.manifest = o.manifest;
    this.#localId = o.localId;
    this.#logger = o.logger;
    this.#random = o.random ?? Math.random;
    this.#tag = partyTag(o.manifest.party);
    this.#store = new PieceStore({ manifest: o.manifest, dir: o.dir, sourcePath: o.sourcePath });
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
    if (this.#store.complete) setImmediate(() => void this.#finish());
  }

  get path(): string {
    return this.#store.path;
  }

  /** Starts exchanging with a member whose link is open: tells it what we hold. */
  addPeer(id: string, link: CallLink): void {
    if (this.#closed || id === this.#localId) return;
    this.removePeer(id);
    const holds = new Uint8Array(this.#store.total);
    const uploader = new PieceUploader(link, this.#store, this.#tag, this.#logger, (bytes) => {
      this.uploaded += bytes;
    });
    this.#peers.set(id, { link, holds, uploader, asked: new Set(), bad: 0 });
    this.received[id] ??= 0;
    const bits = toBase64(this.#store.bitfield());
    link.sendControl({ t: 'piece-have', party: this.manifest.party, bits });
  }

  removePeer(id: string): void {
    const peer = this.#peers.get(id);
    if (!peer) return;
    this.#peers.delete(id);
    peer.uploader.close();
    for (const index of peer.asked) this.#downloads.delete(index);
  }

  handle(from: string, message: PieceMessage): void {
    const peer = this.#peers.get(from);
    if (this.#closed || !peer || message.party !== this.manifest.party) return;
    const indices = message.indices ?? [];
    if (indices.some((index) => index >= this.#store.total)) {
      this.rejected++;
      return;
    }
    switch (message.t) {
      case 'piece-have':
        if (message.bits !== undefined) this.#applyBits(peer, fromBase64(message.bits));
        for (const index of indices) peer.holds[index] = 1;
        return;
      case 'piece-request':
        peer.uploader.request(indices);
        return;
      case 'piece-cancel':
        peer.uploader.cancel(indices);
        return;
    }
  }

  /** One frame from a member's `bulk` channel. */
  handleBulk(from: string, bytes: Uint8Array): void {
    if (this.#closed) return;
    const frame = decodeFrame(bytes);
    if (!frame || frame.tag !== this.#tag) return; // an earlier party's piece: not ours
    const download = this.#downloads.get(frame.index);
    if (!download || download.from !== from || frame.offset !== download.got) {
      this.rejected++;
      return;
    }
    if (download.got + frame.data.length > download.bytes.length) {
      this.#badPiece(from, frame.index);
      return;
    }
    download.bytes.set(frame.data, download.got);
    download.got += frame.data.length;
    download.lastAt = Date.now();
    this.received[from] = (this.received[from] ?? 0) + frame.data.length;
    if (download.got === download.bytes.length) this.#finishPiece(frame.index, download);
  }

  /** The window just ahead of this byte offset is fetched first, in order. */
  setPlayhead(byteOffset: number): void {
    const piece = Math.floor(byteOffset / this.manifest.pieceSize);
    this.#playhead = Math.max(0, Math.min(this.#store.total - 1, piece));
  }

  /** Bytes [start, end) of the file; waits for missing pieces, asked for at top priority. */
  async read(start: number, end: number): Promise<Uint8Array> {
    const last = Math.min(end, this.manifest.size);
    if (start < 0 || start >= last) return new Uint8Array(0);
    const { pieceSize } = this.manifest;
    const waits: Promise<void>[] = [];
    for (let index = Math.floor(start / pieceSize); index * pieceSize < last; index++) {
      if (this.#store.has(index)) continue;
      if (!this.#urgent.includes(index)) this.#urgent.push(index);
      waits.push(
        new Promise((resolve, reject) => {
          const list = this.#waiters.get(index) ?? [];
          list.push({ resolve, reject });
          this.#waiters.set(index, list);
        }),
      );
    }
    await Promise.all(waits);
    return this.#store.readRange(start, last);
  }

  holdsAll(): boolean {
    return this.#store.complete;
  }

  /** Who holds each piece, this member included (for "the streamer left"). */
  holders(): Map<number, Set<string>> {
    const map = new Map<number, Set<string>>();
    for (let index = 0; index < this.#store.total; index++) {
      const set = new Set<string>();
      if (this.#store.has(index)) set.add(this.#localId);
      for (const [id, peer] of this.#peers) if (peer.holds[index]) set.add(id);
      map.set(index, set);
    }
    return map;
  }

  /** Idempotent: stops exchanging, fails pending reads, removes the cache folder. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    for (const peer of this.#peers.values()) peer.uploader.close();
    this.#peers.clear();
    this.#downloads.clear();
    for (const list of this.#waiters.values()) {
      for (const waiter of list) waiter.reject(new MeshError('ERR_CLOSED', 'party ended'));
    }
    this.#waiters.clear();
    this.#store.close();
    this.removeAllListeners();
  }

  #applyBits(peer: Peer, bits: Uint8Array): void {
    for (let index = 0; index < peer.holds.length; index++) {
      if (((bits[index >> 3] ?? 0) & (0x80 >> (index & 7))) !== 0) peer.holds[index] = 1;
    }
  }

  #tick(): void {
    if (this.#closed) return;
    this.#expireLate();
    this.#request();
    for (const peer of this.#peers.values()) peer.uploader.pump();
    // A member that only serves (the streamer) still reports its upload, at most each second.
    const now = Date.now();
    if (this.uploaded !== this.#reported.uploaded && now - this.#reported.at >= 1000) {
      this.#progress();
    }
  }

  #expireLate(): void {
    const now = Date.now();
    for (const [index, download] of this.#downloads) {
      if (now - download.lastAt < LATE_MS) continue;
      this.#logger.info('piece late, asking another holder', { from: download.from, index });
      this.#exclude(index, download.from);
      this.#drop(index, download);
      this.#peers.get(download.from)?.link.sendControl({
        t: 'piece-cancel',
        party: this.manifest.party,
        indices: [index],
      });
    }
  }

  #request(): void {
    const room = IN_FLIGHT_TOTAL - this.#downloads.size;
    if (room <= 0 || this.#store.complete) return;
    const peers = [...this.#peers].filter(([, p]) => p.bad < BAN_AFTER);
    const memo = new Map<number, string[]>();
    const candidates = (index: number): string[] => {
      const known = memo.get(index);
      if (known) return known;
      const all = peers.filter(([, p]) => p.holds[index] === 1);
      const excluded = this.#excluded.get(index);
      const fresh = all.filter(([id]) => !excluded?.has(id));
      const ids = (fresh.length > 0 ? fresh : all).map(([id]) => id);
      memo.set(index, ids);
      return ids;
    };
    const batches = new Map<string, number[]>();
    const pieces = selectPieces({
      total: this.#store.total,
      wanted: (index) =>
        !this.#store.has(index) && !this.#downloads.has(index) && !this.#writing.has(index),
      holders: (index) => candidates(index).length,
      playhead: this.#playhead,
      urgent: this.#urgent,
      window: WINDOW,
      readAhead: READ_AHEAD,
      limit: room * 4,
      deferred: othersShare(this.#localId, this.manifest.streamer, this.#peers),
      random: this.#random,
    });
    let sent = 0;
    for (const index of pieces) {
      if (sent >= room) break;
      const open = candidates(index).filter(
        (id) => (this.#peers.get(id)?.asked.size ?? 0) < IN_FLIGHT_PER_PEER,
      );
      const from = chooseHolder(
        open,
        (id) => this.#peers.get(id)?.asked.size ?? 0,
        this.manifest.streamer,
        this.#random,
      );
      const peer = from === null ? undefined : this.#peers.get(from);
      if (from === null || !peer) continue;
      const length = this.#store.pieceLength(index);
      this.#downloads.set(index, {
        from,
        bytes: new Uint8Array(length),
        got: 0,
        lastAt: Date.now(),
      });
      peer.asked.add(index);
      batches.set(from, [...(batches.get(from) ?? []), index]);
      sent++;
    }
    for (const [id, indices] of batches) {
      const party = this.manifest.party;
      this.#peers.get(id)?.link.sendControl({ t: 'piece-request', party, indices });
    }
  }

  #finishPiece(index: number, download: Download): void {
    this.#drop(index, download);
    if (sha256Hex(download.bytes) !== this.manifest.pieces[index]) {
      this.#badPiece(download.from, index);
      return;
    }
    this.#writing.add(index);
    this.#request(); // the freed slot at once, not at the next tick
    this.#store.write(index, download.bytes).then(
      () => {
        this.#writing.delete(index);
        this.#stored(index);
      },
      (err: unknown) => {
        this.#writing.delete(index);
        if (!this.#closed) this.#logger.warn('piece write failed', { reason: errorText(err) });
      },
    );
  }

  #stored(index: number): void {
    if (this.#closed) return;
    this.#urgent = this.#urgent.filter((i) => i !== index);
    for (const waiter of this.#waiters.get(index) ?? []) waiter.resolve();
    this.#waiters.delete(index);
    for (const peer of this.#peers.values()) {
      peer.link.sendControl({ t: 'piece-have', party: this.manifest.party, indices: [index] });
    }
    this.#progress();
    if (this.#store.complete) void this.#finish();
  }

  #progress(): void {
    const { count: have, total } = this.#store;
    this.#reported = { uploaded: this.uploaded, at: Date.now() };
    this.emit('progress', { have, total, received: { ...this.received }, uploaded: this.uploaded });
  }

  #badPiece(from: string, index: number): void {
    const download = this.#downloads.get(index);
    if (download) this.#drop(index, download);
    this.#exclude(index, from);
    const peer = this.#peers.get(from);
    if (peer) peer.bad++;
    this.#logger.warn('piece failed its hash', { from, index });
    this.emit('bad-piece', { from, index });
  }

  #drop(index: number, download: Download): void {
    if (this.#downloads.get(index) === download) this.#downloads.delete(index);
    this.#peers.get(download.from)?.asked.delete(index);
  }

  #exclude(index: number, peer: string): void {
    const set = this.#excluded.get(index) ?? new Set<string>();
    set.add(peer);
    this.#excluded.set(index, set);
  }

  async #finish(): Promise<void> {
    if (this.#completed) return;
    this.#completed = true;
    try {
      const sha256 = await fileSha256(this.#store.path);
      if (!this.#closed) this.emit('complete', { sha256, path: this.#store.path });
    } catch (err) {
      if (!this.#closed) this.#logger.warn('hashing the file failed', { reason: errorText(err) });
    }
  }
}
