import path from 'node:path';
import { errorText } from '../p2p/base/errors.js';
import type { Logger } from '../p2p/base/logger.js';
import { TypedEmitter } from '../p2p/base/typed-emitter.js';
import type { Command, SessionEvent } from '../protocol/api.js';
import type { PlayoutSlot } from '../protocol/audio/jitter-buffer.js';
import type { AudioSettings } from './audio/local-audio.js';
import type { CallAdapter } from './call-adapter.js';
import { LocalAudio } from './audio/local-audio.js';
import type { RecordingCut } from './audio/recorder.js';
import { AudioRecorder } from './audio/recorder.js';
import type { AudioSourceSpec } from './audio/sources.js';
import { parseAudioSource } from './audio/sources.js';
import { writeWav16 } from './audio/wav-file.js';
import { CommandError, isApiError } from './command-error.js';

export type AudioCommand = Extract<Command, { cmd: 'mute' | 'set-audio-source' | 'record-audio' }>;

/** What the session's audio needs of the calls. */
export type AudioCalls = Pick<CallAdapter, 'sendVoice' | 'setMuted' | 'members' | 'on'>;

export interface SessionAudioOptions {
  /** Our voice at start (default `none`; a file that cannot be read leaves `none`). */
  audioSource?: AudioSourceSpec | undefined;
  logger: Logger;
  /** Report each received voice packet as a `voice-packet` event (bots and tests). */
  frameEvents?: boolean | undefined;
}

export interface SessionAudioEvents {
  event: [SessionEvent];
}

/**
 * The session's voice: our own (LocalAudio: source, mute) and the recordings of members
 * (`record-audio`), fed with the call's playout slots. Owned and closed by the Session,
 * which passes it the audio commands and the call's events; it reports API events.
 */
export class SessionAudio extends TypedEmitter<SessionAudioEvents> {
  readonly #calls: AudioCalls;
  readonly #log: Logger;
  readonly #local: LocalAudio;
  readonly #recorders = new Set<AudioRecorder>();
  #closed = false;

  constructor(options: SessionAudioOptions, calls: AudioCalls) {
    const { audioSource: source, logger } = options;
    super({ logger, name: 'session-audio' });
    this.#calls = calls;
    this.#log = logger;
    this.#local = new LocalAudio({
      source: { kind: 'none' },
      logger,
      send: (packet) => this.#calls.sendVoice(packet),
    });
    this.#local.on('settings', (view) => this.#emit({ event: 'audio-settings', ...view }));
    this.#local.on('error', (err) => this.#error(err.code, err.message));
    if (source && source.kind !== 'none') {
      this.#local.setSource(source).catch((err: unknown) => this.#failed(err));
    }
    calls.on('call-started', () => this.#local.start());
    calls.on('call-ended', () => this.#callEnded());
    calls.on('member-left', ({ peer }) => this.#cut(peer, 'member-left'));
    calls.on('voice-playout', ({ from, slot }) => this.#playout(from, slot));
    if (options.frameEvents) {
      calls.on('voice', ({ from, header, receivedAt }) => {
        const { seq, level, voice, captureTs } = header;
        this.#emit({ event: 'voice-packet', peer: from, seq, level, voice, captureTs, receivedAt });
      });
    }
  }

  get settings(): AudioSettings {
    return this.#local.settings;
  }

  /** Throws CommandError / MediaError for a command that cannot be carried out. */
  async handle(command: AudioCommand): Promise<void> {
    switch (command.cmd) {
      case 'mute':
        // The calls report `mute-state` (ours included) to everyone; we stop making packets.
        this.#local.setMuted(command.muted);
        this.#calls.setMuted(command.muted);
        return;
      case 'set-audio-source':
        return this.#local.setSource(parseAudioSource(command.source));
      case 'record-audio':
        return this.#record(command.peer, command.seconds, command.path);
    }
  }

  /** A voice packet of the page's microphone (the `mic` UI frame). */
  pushUiPacket(bytes: Uint8Array): void {
    this.#local.pushUiPacket(bytes);
  }

  #callEnded(): void {
    this.#local.stop();
    this.#cut(null, 'call-ended');
  }

  /** Ends a member's recordings (all, for null) early, keeping what they hold. */
  #cut(peer: string | null, why: RecordingCut): void {
    for (const recorder of [...this.#recorders]) {
      if (peer === null || recorder.peer === peer) this.#finish(recorder, why);
    }
  }

  /** One 20 ms playout slot of a member. */
  #playout(from: string, slot: PlayoutSlot): void {
    for (const recorder of [...this.#recorders]) {
      if (recorder.peer === from && recorder.push(slot)) this.#finish(recorder);
    }
  }

  #record(peer: string, seconds: number, target: string): void {
    const { call, members } = this.#calls.members();
    if (!call) throw new CommandError('ERR_NOT_IN_CALL', 'not in a call');
    if (!members.some((member) => member.peer === peer)) {
      throw new CommandError('ERR_UNKNOWN_PEER', `${peer} is not in the call`);
    }
    this.#recorders.add(new AudioRecorder({ peer, seconds, path: path.resolve(target) }));
  }

  #finish(recorder: AudioRecorder, cut?: RecordingCut): void {
    this.#recorders.delete(recorder);
    const pcm = recorder.pcm.slice();
    const { peer, seconds } = recorder;
    if (recorder.undecodable > 0) {
      this.#log.warn('undecodable voice packets concealed', { peer, count: recorder.undecodable });
    }
    recorder.close();
    writeWav16(recorder.path, pcm).then(
      (written) => {
        this.#emit({
          event: 'audio-recorded',
          peer,
          path: written,
          seconds,
          ...(cut ? { endedEarly: cut } : {}),
        });
      },
      (err: unknown) => {
        this.#log.warn('could not write a recording', { peer, reason: errorText(err) });
        this.#error('ERR_RECORD_FAILED', `could not write ${recorder.path}: ${errorText(err)}`);
      },
    );
  }

  #failed(err: unknown): void {
    if (isApiError(err)) this.#error(err.code, err.message);
    else this.#error('ERR_INTERNAL', `audio source failed: ${errorText(err)}`);
  }

  #error(code: CommandError['code'], message: string): void {
    this.#emit({ event: 'error', code, message });
  }

  #emit(event: SessionEvent): void {
    if (!this.#closed) this.emit('event', event);
  }

  /** Drops recordings in progress (nothing half-written is left behind). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const recorder of this.#recorders) recorder.close();
    this.#recorders.clear();
    this.#local.close();
    this.removeAllListeners();
  }
}
