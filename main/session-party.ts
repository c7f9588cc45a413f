import { mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { IdentityKeys } from '../crypto/index.js';
import { errorText } from '../p2p/base/errors.js';
import type { Logger } from '../p2p/base/logger.js';
import { TypedEmitter } from '../p2p/base/typed-emitter.js';
import type { CallParty } from '../p2p/party/call-party.js';
import type { PartyState } from '../p2p/party/party-state.js';
import { randomId } from '../p2p/base/ids.js';
import { pieceSizeFor, signManifest } from '../p2p/party/manifest.js';
import type { PartyManifest } from '../p2p/party/manifest.js';
import { hashPieces } from '../p2p/party/piece-store.js';
import { prepareFile } from './party/prepare.js';
import type { Command, SessionEvent } from '../protocol/api.js';
import { PARTY_COMMAND_NAMES } from '../protocol/party-api.js';
import type { PartyCommandName } from '../protocol/party-api.js';
import type { CallAdapter } from './call-adapter.js';
import { CommandError } from './command-error.js';
import { VirtualPlayer } from './party/virtual-player.js';
import { readSubtitleTracks, trackWebVtt } from './party/subtitle-files.js';

export type PartyCommand = Extract<Command, { cmd: PartyCommandName }>;

export function isPartyCommand(command: Command): command is PartyCommand {
  return PARTY_COMMAND_NAMES.has(command.cmd);
}

/** Where watch parties keep their pieces: a folder per party, removed when it ends. */
export function partyCacheDir(dataDir: string): string {
  return path.join(dataDir, 'party-cache');
}

/** A party's film as a local player reads it: reads wait for missing pieces (null: ended). */
export interface PartyMedia {
  size: number;
  mime: string;
  read(start: number, end: number): Promise<Uint8Array> | null;
  /** The streamer's subtitle track `index` as WebVTT; null when there is no such track. */
  subtitles(index: number): string | null;
}

export interface SessionPartyOptions {
  id: string;
  identity: IdentityKeys;
  logger: Logger;
  dataDir: string;
}

/**
 * The session's watch party: runs the party commands on the current call's CallParty,
 * plays the virtual player that follows its state, and reports the party events. Owned and
 * closed by the Session.
 */
export class SessionParty extends TypedEmitter<{ event: [SessionEvent] }> {
  readonly #o: SessionPartyOptions;
  readonly #calls: Pick<CallAdapter, 'call' | 'on'>;
  #player: VirtualPlayer | null = null;
  /** A share being prepared (ffmpeg may run for minutes): close() calls it off. */
  #sharing: AbortController | null = null;
  #closed = false;

  constructor(options: SessionPartyOptions, calls: Pick<CallAdapter, 'call' | 'on'>) {
    super({ logger: options.logger, name: 'session-party' });
    this.#o = options;
    this.#calls = calls;
    // Folders a node that was killed left behind: no party is running here yet.
    rmSync(partyCacheDir(options.dataDir), { recursive: true, force: true });
    calls.on('call-started', () => this.#attach());
    calls.on('call-ended', () => (this.#player = null));
  }

  /** Throws CommandError for a command that cannot be carried out. */
  async handle(command: PartyCommand): Promise<void> {
    const party = this.#party();
    switch (command.cmd) {
      case 'party-share':
        return this.#share(party, path.resolve(command.path), command.subtitles ?? []);
      case 'party-play':
        return this.#command(party, { paused: false });
      case 'party-pause':
        return this.#command(party, { paused: true });
      case 'party-seek':
        return this.#command(party, { position: command.position });
      case 'party-rate':
        return this.#command(party, { rate: command.rate });
      case 'party-stop':
        this.#require(party);
        party.stop();
        return;
      case 'party-status':
        this.#emitState(this.#require(party));
        return;
      case 'party-buffering':
        this.#require(party);
        party.setBuffering(command.buffering);
    }
  }

  /** The current party's film for a local player (the bridge's range endpoint), or null. */
  media(id: string): PartyMedia | null {
    const party = this.#calls.call?.party;
    const manifest = party?.manifest;
    if (!party || manifest?.party !== id) return null;
    const { size, mime } = manifest;
    const tracks = manifest.subtitles ?? [];
    return {
      size,
      mime,
      read: (start, end) => party.read(id, start, end),
      subtitles: (index) => {
        const track = tracks[index];
        return track ? trackWebVtt(track) : null;
      },
    };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#player = null;
    this.#sharing?.abort();
    this.removeAllListeners();
  }

  #party(): CallParty {
    const call = this.#calls.call;
    if (!call) throw new CommandError('ERR_NOT_IN_CALL', 'not in a call');
    return call.party;
  }

  #require(party: CallParty): PartyState {
    const state = party.state;
    if (!state) throw new CommandError('ERR_NO_PARTY', 'no watch party in this call');
    return state;
  }

  #command(party: CallParty, change: Parameters<CallParty['command']>[0]): void {
    this.#require(party);
    party.command(change);
  }

  /**
   * Prepares the file (keep / remux / transcode) into the party's own folder, which the
   * CallParty removes when the party ends, hashes its pieces and announces the manifest.
   */
  async #share(party: CallParty, file: string, subtitleFiles: string[]): Promise<void> {
    this.#sharing?.abort();
    const sharing = new AbortController();
    this.#sharing = sharing;
    const id = randomId();
    const outDir = party.folderOf(id);
    let manifest: PartyManifest;
    let source: string;
    try {
      mkdirSync(outDir, { recursive: true, mode: 0o700 });
      const prepared = await prepareFile({
        path: file,
        outDir,
        signal: sharing.signal,
        onProgress: (percent) => this.#emit({ event: 'party-preparing', percent }),
      });
      const subtitles = await readSubtitleTracks(subtitleFiles.map((f) => path.resolve(f)));
      const pieceSize = pieceSizeFor(statSync(prepared.path).size);
      const { size, pieces } = await hashPieces(prepared.path, pieceSize);
      source = prepared.path;
      manifest = {
        party: id,
        epoch: party.nextEpoch,
        streamer: this.#o.id,
        title: path.basename(file).slice(0, 256),
        ...{ size, duration: prepared.duration, mime: prepared.mime, codecs: prepared.codecs },
        ...{ pieceSize, pieces },
        ...(subtitles.length > 0 ? { subtitles } : {}),
      };
    } catch (err) {
      rmSync(outDir, { recursive: true, force: true });
      if (sharing.signal.aborted) return;
      throw new CommandError('ERR_FILE_UNAVAILABLE', `cannot share ${file}: ${errorText(err)}`);
    } finally {
      if (this.#sharing === sharing) this.#sharing = null;
    }
    // The call may have ended, or another share taken over, while we read the file.
    if (this.#closed || sharing.signal.aborted || this.#calls.call?.party !== party) {
      rmSync(outDir, { recursive: true, force: true });
      return;
    }
    party.share(signManifest({ ...manifest, epoch: party.nextEpoch }, this.#o.identity), source);
  }

  #attach(): void {
    const party = this.#calls.call?.party;
    if (!party || this.#closed) return;
    const player = new VirtualPlayer(() => party.clock.now());
    this.#player = player;
    party.on('state', (state) => {
      player.follow(state);
      this.#emitState(state);
    });
    party.on('ended', ({ party: id, reason }) => {
      player.follow(null);
      this.#emit({ event: 'party-ended', party: id, reason });
    });
    party.on('stalled', ({ reason }) =>
      this.#emit({ event: 'error', code: 'ERR_PARTY_STALLED', message: reason }),
    );
    party.on('progress', (p) => this.#emit({ event: 'party-progress', ...p }));
    party.on('complete', ({ party: id, sha256 }) =>
      this.#emit({ event: 'party-complete', party: id, sha256 }),
    );
  }

  #emitState(state: PartyState): void {
    const { party, epoch, streamer, title, duration, paused, rate, updatedBy } = state;
    const position = this.#player?.state === state ? this.#player.position : state.position;
    const sampledAt = Date.now();
    const manifest = this.#calls.call?.party.manifest;
    const tracks = manifest?.party === party ? (manifest.subtitles ?? []) : [];
    const subtitles = tracks.map((track) => track.label);
    this.#emit({
      event: 'party-state',
      ...{ party, epoch, streamer, title, duration, paused, position, sampledAt, rate, updatedBy },
      subtitles,
    });
  }

  #emit(event: SessionEvent): void {
    if (!this.#closed) this.emit('event', event);
  }
}
