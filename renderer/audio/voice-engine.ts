/**
 * The page's voice: one AudioContext (48 kHz) with the microphone tap and the members' mix,
 * an AnalyserNode on the mix (diagnostics: a level meter, the UI test), who speaks, and
 * the microphone's packets to the node. The microphone is opened only while wanted (in a
 * call, or while Settings shows the meter), and packets leave only in a call, unmuted.
 */
import type { UiVoiceFrame } from '../../protocol/ui-frames.js';
import { SILENT_LEVEL, decodeVoicePacket } from '../../protocol/audio/voice-packet.js';
import { msg } from '../i18n/catalog.js';
import type { Transport } from '../transport/transport.js';

import { Listeners } from '../transport/transport.js';
import { SpeakingDetector } from './dsp.js';
import type { MicStatus } from './microphone.js';
import { Microphone } from './microphone.js';
import { Playout } from './playout.js';
import type { MicSettings } from './settings.js';
import {
  clampVolume,
  loadMicSettings,
  loadOutputDevice,
  loadVolume,
  saveMicSettings,
  saveOutputDevice,
  saveVolume,
} from './settings.js';
import type { WorkletMessage } from './worklet.js';
import { installDiagnostics } from './diagnostics.js';

/** The speaking key of our own microphone. */
export const SELF_VOICE = 'self';
const WORKLET_URL = 'audio-worklet.js';
/** A member whose packets stopped this long ago (DTX, mute, gone) is not speaking. */
const QUIET_AFTER_MS = 100;

interface Graph {
  context: AudioContext;
  mixer: AudioWorkletNode;
  analyser: AnalyserNode;
  playout: Playout;
}

interface SinkSetter {
  setSinkId?: (id: string) => Promise<void>;
}

export class VoiceEngine {
  readonly #transport: Transport;
  readonly #statuses = new Listeners<MicStatus>();
  readonly #levels = new Listeners<number>();
  readonly #speakingChanged = new Listeners<string>();
  readonly #speaking = new Map<string, { detector: SpeakingDetector; on: boolean; last: number }>();
  readonly #offVoice: () => void;
  readonly #removeDiagnostics: () => void;
  #graph: Promise<Graph | null> | null = null;
  #analyser: AnalyserNode | null = null;
  #mic: Microphone | null = null;
  #micStatus: MicStatus = { state: 'off' };
  #micSettings = loadMicSettings();
  #outputDevice = loadOutputDevice();
  #wants = { call: false, mic: false };
  #muted = false;
  #lastLevel = SILENT_LEVEL;
  readonly counts = { sent: 0, received: 0, bad: 0 };
  #closed = false;

  constructor(transport: Transport) {
    this.#transport = transport;
    this.#offVoice = transport.onVoice((frame) => this.#onVoice(frame));
    this.#removeDiagnostics = installDiagnostics(this);
  }

  get micStatus(): MicStatus {
    return this.#micStatus;
  }
  get micSettings(): MicSettings {
    return this.#micSettings;
  }
  get outputDevice(): string {
    return this.#outputDevice;
  }
  /** The latest microphone frame's level (0 loud … 127 silent). */
  get micLevel(): number {
    return this.#lastLevel;
  }
  /** The output mix's analyser, once audio runs (read it, do not rewire it). */
  get analyserNow(): AnalyserNode | null {
    return this.#analyser;
  }

  onMicStatus(listener: (status: MicStatus) => void): () => void {
    return this.#statuses.add(listener);
  }
  onMicLevel(listener: (level: number) => void): () => void {
    return this.#levels.add(listener);
  }
  onSpeaking(listener: (key: string) => void): () => void {
    return this.#speakingChanged.add(listener);
  }
  isSpeaking(key: string): boolean {
    return this.#speaking.get(key)?.on ?? false;
  }

  /**
   * What needs sound: a call (members play; our packets leave unless muted) and the
   * microphone (in a call whose voice is this page's, or for the settings' meter).
   */
  want(call: boolean, mic: boolean): void {
    if (this.#closed || (call === this.#wants.call && mic === this.#wants.mic)) return;
    this.#wants = { call, mic };
    if (!call && !mic) {
      this.#stop();
      return;
    }
    this.#graph ??= this.#buildGraph();
    if (mic) void this.#start();
    else this.#closeMic();
  }

  /** Muted: no packet leaves this page (the node is told too, with the `mute` command). */
  setMuted(muted: boolean): void {
    this.#muted = muted;
  }

  setMicSettings(settings: MicSettings): void {
    this.#micSettings = settings;
    saveMicSettings(settings);
    if (this.#mic) this.retryMic();
  }

  /** Opens the microphone again (after a refusal the user has since lifted, or new settings). */
  retryMic(): void {
    this.#mic?.close();
    this.#mic = null;
    if (this.#wants.mic) void this.#start();
  }

  async setOutputDevice(deviceId: string): Promise<void> {
    this.#outputDevice = deviceId;
    saveOutputDevice(deviceId);
    const graph = await this.#graph;
    if (graph) await this.#applySink(graph.context);
  }

  volume(peer: string): number {
    return loadVolume(peer);
  }

  setVolume(peer: string, volume: number): void {
    const gain = clampVolume(volume);
    saveVolume(peer, gain);
    void this.#graph?.then((graph) => graph?.playout.setVolume(peer, gain));
  }

  /** Forgets members who left (their decoders and queues). */
  retain(peers: ReadonlySet<string>): void {
    void this.#graph?.then((graph) => graph?.playout.retain(peers));
    for (const key of this.#speaking.keys()) {
      if (key !== SELF_VOICE && !peers.has(key)) this.#speaking.delete(key);
    }
  }

  async #applySink(context: AudioContext): Promise<void> {
    const sink = context as AudioContext & SinkSetter;
    if (typeof sink.setSinkId !== 'function') return;
    try {
      await sink.setSinkId(this.#outputDevice);
    } catch {
      // A device that went away: the default plays instead, and the picker shows it.
      this.#outputDevice = '';
    }
  }

  #buildGraph(): Promise<Graph | null> {
    return (async () => {
      const context = new AudioContext({ sampleRate: 48_000, latencyHint: 'interactive' });
      try {
        await context.audioWorklet.addModule(WORKLET_URL);
      } catch {
        void context.close();
        this.#setStatus({ state: 'error', message: msg('mic.engine') });

        return null;
      }
      const mixer = new AudioWorkletNode(context, 'meshcall-mixer', {
        numberOfInputs: 0,
        numberOfOutputs: 1,
        outputChannelCount: [1],
      });
      const analyser = new AnalyserNode(context, { fftSize: 4096, smoothingTimeConstant: 0.5 });
      mixer.connect(analyser).connect(context.destination);
      this.#analyser = analyser;
      const playout = new Playout(mixer, loadVolume);
      mixer.port.onmessage = (event: MessageEvent<WorkletMessage>) => {
        if (event.data.type === 'tick') this.#tick(playout);
      };
      await this.#applySink(context);
      // Autoplay rules may hold a new context until the user touches the page.
      if (context.state === 'suspended') {
        const resume = (): void => void context.resume();
        document.addEventListener('pointerdown', resume, { once: true });
        document.addEventListener('keydown', resume, { once: true });
      }
      return { context, mixer, analyser, playout };
    })();
  }

  async #start(): Promise<void> {
    const pending = (this.#graph ??= this.#buildGraph());
    const graph = await pending;
    if (!graph || this.#closed || this.#graph !== pending || !this.#wants.mic || this.#mic) return;
    const mic = new Microphone(graph.context, {
      status: (status) => {
        if (this.#mic === mic || status.state === 'off') this.#setStatus(status);
      },
      level: (level, speaking, now) => {
        this.#lastLevel = level;
        this.#levels.emit(level);
        this.#setSpeaking(SELF_VOICE, speaking, now);
      },
      packet: (bytes) => {
        if (this.#muted || !this.#wants.call) return;
        if (this.#transport.sendMic(bytes)) this.counts.sent += 1;
      },
    });
    this.#mic = mic;
    await mic.start(this.#micSettings);
  }

  #closeMic(): void {
    this.#mic?.close();
    this.#mic = null;
    this.#setSpeaking(SELF_VOICE, false, Date.now());
  }

  #stop(): void {
    this.#closeMic();
    const graph = this.#graph;
    this.#graph = null;
    this.#analyser = null;
    void graph?.then((built) => {
      // A graph still being built when we stopped set its analyser after the line above.
      if (this.#analyser === built?.analyser) this.#analyser = null;
      built?.playout.close();
      void built?.context.close();
    });
    for (const key of [...this.#speaking.keys()]) this.#setSpeaking(key, false, Date.now());
  }

  #setStatus(status: MicStatus): void {
    this.#micStatus = status;
    this.#statuses.emit(status);
  }

  #setSpeaking(key: string, on: boolean, now: number): void {
    let entry = this.#speaking.get(key);
    if (!entry) {
      entry = { detector: new SpeakingDetector(), on: false, last: now };
      this.#speaking.set(key, entry);
    }
    entry.last = now;
    if (entry.on === on) return;
    entry.on = on;
    this.#speakingChanged.emit(key);
  }

  #onVoice(frame: UiVoiceFrame): void {
    if (this.#closed) return;
    const decoded = decodeVoicePacket(frame.packet);
    if (!decoded.ok) {
      this.counts.bad += 1;
      return;
    }
    this.counts.received += 1;
    const now = Date.now();
    const { header, opus } = decoded;
    const entry = this.#speaking.get(frame.peer);
    const detector = entry?.detector ?? new SpeakingDetector();
    if (!entry) this.#speaking.set(frame.peer, { detector, on: false, last: now });
    this.#setSpeaking(frame.peer, detector.update(header.level, header.voice, now), now);
    void this.#graph?.then((graph) => graph?.playout.push(frame.peer, header, opus, now));
  }

  #tick(playout: Playout): void {
    const now = Date.now();
    playout.tick(now);
    for (const [key, entry] of this.#speaking) {
      if (key === SELF_VOICE || now - entry.last < QUIET_AFTER_MS) continue;
      this.#setSpeaking(key, entry.detector.update(SILENT_LEVEL, false, now), entry.last);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#offVoice();
    this.#removeDiagnostics();
    this.#stop();
    this.#statuses.clear();
    this.#levels.clear();
    this.#speakingChanged.clear();
  }
}
