import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../base/logger.js';
import { TypedEmitter } from '../base/typed-emitter.js';
import type { CallLink } from '../call/call-link.js';
import type { PieceMessage } from '../link/control-messages.js';
import type { PartyMessage } from './party-messages.js';
import type { PartyState } from './party-state.js';
import { HybridClock, compareStates, mergeStates, positionAt } from './party-state.js';
import { SharedClock } from './shared-clock.js';
import { EarlyPieces, ProgressThrottle } from './swarm-feed.js';
import type { PartyManifest, SignedManifest } from './manifest.js';
import { verifyManifest } from './manifest.js';
import type { SwarmEvents } from './swarm.js';
import { Swarm } from './swarm.js';

/** How long the group waits for a member that reported buffering before it goes on. */
export const BUFFERING_WAIT_MS = 5000;

export type { PartyMessage } from './party-messages.js';
export { isPartyMessage, isPieceMessage } from './party-messages.js';

interface CallPartyOptions {
  localId: string;
  logger: Logger;
  /** The open links of the call's members. */
  links: () => Iterable<CallLink>;
  publicKeyOf: (peer: string) => Uint8Array | null;
  /** Where each party's pieces go (a folder per party). */
  cacheDir: string;
}

export interface CallPartyEvents {
  /** The winning state changed (a new party starts with its first state). */
  state: [PartyState];
  ended: [{ party: string; reason: string }];
  /** The party paused by itself, and why (the streamer left with pieces nobody else holds). */
  stalled: [{ party: string; reason: string }];
  /** Throttled to one per PROGRESS_EVERY_MS; the last one always comes. */
  progress: [{ party: string } & SwarmEvents['progress'][0]];
  complete: [{ party: string; sha256: string; path: string }];
}

interface Current {
  manifest: PartyManifest;
  swarm: Swarm;
  state: PartyState | null;
  /** As the streamer signed it: what we pass on to members who join later. */
  signed: SignedManifest;
  progress: ProgressThrottle;
}

/**
 * A call's watch party: the manifest, the replicated state (last writer wins, see
 * party-state.ts), the shared clock, buffering holds, takeover, and the Swarm that moves
 * the pieces. Created, owned and closed by the Call, which hands it the party control
 * messages and member changes.
 */
export class CallParty extends TypedEmitter<CallPartyEvents> {
  readonly #o: CallPartyOptions;
  readonly #hlc = new HybridClock();
  readonly clock: SharedClock;
  #current: Current | null = null;
  /** Parties that ended here: a member that missed the end is told again, never revived. */
  readonly #ended = new Set<string>();
  readonly #early = new EarlyPieces();
  readonly #buffering = new Map<string, NodeJS.Timeout>();
  /** The hold we wrote while someone buffers: released when they are done or time is up. */
  #hold: PartyState | null = null;
  #rejected = 0;
  /** The highest epoch seen: shares only go up, also after a party stopped. */
  #epoch = -1;
  #closed = false;

  /** `call` knows the members' keys (ours is `local`'s); `links` lists the open links. */
  constructor(
    local: { id: string; publicKey: Uint8Array },
    logger: Logger,
    links: () => Iterable<CallLink>,
    call: { publicKeyOf(id: string): Uint8Array | null },
    cacheDir = path.join(os.tmpdir(), 'meshcall-party-cache'),
  ) {
    super({ logger, name: 'call-party' });
    const publicKeyOf = (id: string): Uint8Array | null =>
      id === local.id ? local.publicKey : call.publicKeyOf(id);
    this.#o = { localId: local.id, logger, links, publicKeyOf, cacheDir };
    this.clock = new SharedClock({ localId: local.id, links });
  }

  get manifest(): PartyManifest | null {
    return this.#current?.manifest ?? null;
  }

  get state(): PartyState | null {
    return this.#current?.state ?? null;
  }

  /** Members (we included) the group waits for now. */
  get waitingFor(): string[] {
    return [...this.#buffering.keys()];
  }

  /** Party messages refused (bad signature, unknown party, not from a member). */
  get rejected(): number {
    return this.#rejected;
  }

  /** A party's cache folder: its pieces, and the streamer's prepared copy of the file. */
  folderOf(party: string): string {
    return path.join(this.#o.cacheDir, party);
  }

  /** The epoch a new share takes: above every party seen here. */
  get nextEpoch(): number {
    return this.#epoch + 1;
  }

  /** Our share: ends the current party everywhere and starts this one playing from 0. */
  share(signed: SignedManifest, sourcePath: string): void {
    if (this.#closed) return;
    if (this.#current) this.stop('taken-over');
    // The manifest first: the Swarm's piece-have follows it on each ordered control channel.
    this.#broadcast({ t: 'party-manifest', manifest: signed });
    this.#start(signed, sourcePath);
    this.#write({ paused: false, position: 0 });
  }

  /** Play, pause, seek, rate: a new state of ours, sent to every member. */
  command(change: { paused?: boolean; position?: number; rate?: number }): PartyState | null {
    if (this.#closed || !this.#current?.state) return null;
    this.#hold = null;
    return this.#write(change);
  }

  /** Ends the party for everyone (party-stop, or a takeover by our own share). */
  stop(reason = 'stopped'): void {
    const current = this.#current;
    if (this.#closed || !current) return;
    this.#broadcast({ t: 'party-end', party: current.manifest.party, reason });
    this.#end(reason);
  }

  /** Bytes [start, end) of the current party's film for our player; waits for pieces. */
  read(party: string, start: number, end: number): Promise<Uint8Array> | null {
    const current = this.#closed ? null : this.#current;
    return current?.manifest.party === party ? current.swarm.read(start, end) : null;
  }

  /** Our viewer cannot keep up (or caught up again). */
  setBuffering(buffering: boolean): void {
    const party = this.#current?.manifest.party;
    if (this.#closed || !party) return;
    this.#broadcast({ t: 'party-buffering', party, buffering });
    this.#noteBuffering(this.#o.localId, buffering);
  }

  handle(from: string, message: PartyMessage): void {
    if (this.#closed) return;
    switch (message.t) {
      case 'party-manifest':
        return this.#onManifest(from, message.manifest);
      case 'party-state':
        return this.#onState(from, message.state);
      case 'party-buffering':
        if (message.party !== this.#current?.manifest.party) return this.#reject(from, message.t);
        return this.#noteBuffering(from, message.buffering);
      case 'party-end':
        if (message.party !== this.#current?.manifest.party) return;
        this.#end(message.reason.slice(0, 200));
    }
  }

  handlePiece(from: string, message: PieceMessage): void {
    if (this.#closed || this.#ended.has(message.party)) return;
    const current = this.#current;
    if (current?.manifest.party === message.party) return current.swarm.handle(from, message);
    this.#early.keep(from, message);
  }

  handleBulk(from: string, frame: Uint8Array): void {
    if (!this.#closed) this.#current?.swarm.handleBulk(from, frame);
  }

  /** A member's link (re)opened: it hears the party as it stands. */
  linkOpened(id: string, link: CallLink): void {
    const current = this.#current;
    if (this.#closed) return;
    this.clock.probe();
    if (!current) return;
    // Only the streamer's signature makes a manifest: anyone may pass it on. It goes before
    // the Swarm's piece-have, which the member could not place without it.
    link.sendControl({ t: 'party-manifest', manifest: current.signed });
    current.swarm.addPeer(id, link);
    if (current.state) link.sendControl({ t: 'party-state', state: current.state });
  }

  memberLeft(id: string): void {
    const current = this.#current;
    if (this.#closed || !current) return;
    current.swarm.removePeer(id);
    this.#noteBuffering(id, false);
    if (id !== current.manifest.streamer || !current.state) return;
    const covered = [...current.swarm.holders().values()].every((holders) =>
      [...holders].some((holder) => holder !== id),
    );
    if (covered || current.swarm.holdsAll()) return;
    const reason = 'the streamer left and the members do not hold every piece between them';
    this.#o.logger.warn('party paused', { party: current.manifest.party, reason });
    if (!current.state.paused) this.#write({ paused: true });
    this.emit('stalled', { party: current.manifest.party, reason });
  }

  /** Idempotent; ends the party here (the call is going away) and removes its cache. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#clearBuffering();
    if (this.#current) this.#dispose(this.#current);
    this.#current = null;
    this.clock.close();
    this.removeAllListeners();
  }

  #onManifest(from: string, signed: SignedManifest): void {
    const manifest = verifyManifest(signed, this.#o.publicKeyOf);
    if (!manifest) return this.#reject(from, 'party-manifest');
    const links = [...this.#o.links()];
    if (this.#ended.has(manifest.party)) {
      const link = links.find((l) => l.peerId === from);
      link?.sendControl({ t: 'party-end', party: manifest.party, reason: 'ended' });
      return;
    }
    const current = this.#current?.manifest;
    if (current?.party === manifest.party) return;
    // Two shares at once: the higher epoch wins, then the higher party id; the other ends.
    // A share older than one seen here (that ended meanwhile) is stale.
    if (
      manifest.epoch < this.#epoch ||
      (current && manifest.epoch === current.epoch && manifest.party < current.party)
    ) {
      return;
    }
    if (this.#current) this.#end('taken-over');
    this.#start(signed);
  }

  #onState(from: string, state: PartyState): void {
    const current = this.#current;
    if (
      !current ||
      state.party !== current.manifest.party ||
      state.epoch !== current.manifest.epoch
    ) {
      // A state for a party that ended here or that we have not heard of yet: its manifest
      // arrives first on the same ordered link, so this is stale, not early.
      if (!this.#ended.has(state.party)) this.#reject(from, 'party-state');
      return;
    }
    this.#hlc.observe(state.hlc);
    this.#apply(state);
  }

  #start(signed: SignedManifest, sourcePath?: string): void {
    const { manifest } = signed;
    this.#epoch = Math.max(this.#epoch, manifest.epoch);
    const dir = this.folderOf(manifest.party);
    const swarm = new Swarm({
      manifest,
      dir,
      localId: this.#o.localId,
      logger: this.#o.logger,
      ...(sourcePath !== undefined ? { sourcePath } : {}),
    });
    const current: Current = {
      manifest,
      swarm,
      state: null,
      signed,
      progress: new ProgressThrottle((p) => this.emit('progress', { party: manifest.party, ...p })),
    };
    swarm.on('progress', (progress) => current.progress.push(progress));
    swarm.on('complete', (done) => this.emit('complete', { party: manifest.party, ...done }));
    this.#current = current;
    for (const link of this.#o.links()) swarm.addPeer(link.peerId, link);
    for (const { from, message } of this.#early.take(manifest.party)) swarm.handle(from, message);
  }

  #end(reason: string): void {
    const current = this.#current;
    if (!current) return;
    this.#current = null;
    this.#hold = null;
    this.#clearBuffering();
    this.#ended.add(current.manifest.party);
    this.#dispose(current);
    this.emit('ended', { party: current.manifest.party, reason });
  }

  /** Closes the Swarm and removes the party's folder (the streamer's store leaves it). */
  #dispose(current: Current): void {
    current.progress.close();
    current.swarm.close();
    rmSync(this.folderOf(current.manifest.party), { recursive: true, force: true });
  }

  #write(change: { paused?: boolean; position?: number; rate?: number }): PartyState | null {
    const current = this.#current;
    if (!current) return null;
    const now = this.clock.now();
    const base = current.state;
    const m = current.manifest;
    const state: PartyState = {
      party: m.party,
      epoch: m.epoch,
      streamer: m.streamer,
      title: m.title,
      duration: m.duration,
      paused: change.paused ?? base?.paused ?? false,
      position: Math.min(m.duration, change.position ?? (base ? positionAt(base, now) : 0)),
      at: now,
      rate: change.rate ?? base?.rate ?? 1,
      updatedBy: this.#o.localId,
      hlc: this.#hlc.tick(),
    };
    this.#apply(state);
    this.#broadcast({ t: 'party-state', state });
    return state;
  }

  #apply(state: PartyState): void {
    const current = this.#current;
    if (!current) return;
    const winner = mergeStates(current.state, state);
    if (winner === current.state) return;
    current.state = winner;
    const { size, duration } = current.manifest;
    const seconds = positionAt(winner, this.clock.now());
    current.swarm.setPlayhead(duration > 0 ? Math.floor((seconds / duration) * size) : 0);
    this.emit('state', winner);
  }

  #noteBuffering(peer: string, buffering: boolean): void {
    clearTimeout(this.#buffering.get(peer));
    this.#buffering.delete(peer);
    if (buffering) {
      // Never forever: after the bounded wait the group goes on (the slow one seeks).
      const timer = setTimeout(() => this.#noteBuffering(peer, false), BUFFERING_WAIT_MS);
      timer.unref();
      this.#buffering.set(peer, timer);
    }
    this.#updateHold();
  }

  /**
   * The member with the lowest id that is not buffering holds the group; whoever wrote the
   * hold releases it once nobody is waited for (the lowest id may change meanwhile).
   */
  #updateHold(): void {
    const state = this.#current?.state;
    if (!state) return;
    if (this.#hold) {
      if (this.#buffering.size > 0) return;
      const held = this.#hold;
      this.#hold = null;
      // Only if nobody changed the state meanwhile: a pause someone asked for stays.
      if (compareStates(state, held) === 0) this.#write({ paused: false });
      return;
    }
    const ids = [this.#o.localId, ...[...this.#o.links()].map((l) => l.peerId)];
    const leader = ids.filter((id) => !this.#buffering.has(id)).sort()[0];
    if (leader === this.#o.localId && this.#buffering.size > 0 && !state.paused) {
      this.#hold = this.#write({ paused: true });
    }
  }

  #clearBuffering(): void {
    for (const timer of this.#buffering.values()) clearTimeout(timer);
    this.#buffering.clear();
  }

  #broadcast(message: PartyMessage): void {
    for (const link of this.#o.links()) link.sendControl(message);
  }

  #reject(from: string, kind: string): void {
    this.#rejected++;
    this.#o.logger.warn('party message refused', { peer: from, kind });
  }
}
