/** Unit tests of the voice parts of the interface that run under Node: codec, intake, store. */
import assert from 'node:assert/strict';
import type { SessionEvent } from '../../protocol/api.js';
import type { VoiceHeader } from '../../protocol/audio/voice-packet.js';
import { encodeVoicePacket } from '../../protocol/audio/voice-packet.js';
import {
  FRAME_KIND_MIC,
  FRAME_KIND_VOICE,
  decodeUiFrame,
  decodeUiMic,
  decodeUiVoice,
  encodeUiFrame,
  encodeUiMic,
  encodeUiVoice,
} from '../../protocol/ui-frames.js';
import type { ServerMessage } from '../../protocol/ui-protocol.js';
import { MicIntake, checkMicFrame } from '../../main/bridge/mic-intake.js';
import type { Logger } from '../../p2p/base/logger.js';
import { loadRenderer } from './load-renderer.js';

interface VoiceUiState {
  voice: { source: string | null; muted: boolean; membersMuted: Record<string, boolean> };
}
type Action = { type: 'server'; message: ServerMessage };
interface Renderer {
  initialState(): VoiceUiState;
  reduce(state: VoiceUiState, action: Action): VoiceUiState;
  clampVolume(value: unknown): number;
  meterPercent(level: number): number;
}

const SELF = 'a'.repeat(32);
const BOB = 'b'.repeat(32);
const CALL = 'd'.repeat(32);
const HEADER: VoiceHeader = {
  voice: true,
  level: 30,
  seq: 7,
  position: 960 * 7,
  samples: 960,
  captureTs: 1_700_000_000_000.5,
};
const OPUS = Uint8Array.from([0x78, 1, 2, 3, 4]);

function recordingLogger(): { logger: Logger; lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  const at =
    (level: string) =>
    (message: string): void => {
      lines.push({ level, message });
    };
  return {
    lines,
    logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
  };
}

describe('voice in the interface: frames, microphone intake, store', function () {
  this.timeout(30_000);

  describe('ui frames', () => {
    const packet = encodeVoicePacket(HEADER, OPUS);

    it('carries a member voice packet with its peer id (kind 3)', () => {
      const bytes = encodeUiVoice({ peer: BOB, packet });
      assert.equal(bytes[0], FRAME_KIND_VOICE);
      assert.equal(bytes.length, 17 + packet.length);
      const decoded = decodeUiVoice(bytes);
      assert.equal(decoded?.peer, BOB);
      assert.deepEqual([...(decoded?.packet ?? [])], [...packet]);
      // Not a video frame, and a video frame is not voice.
      assert.equal(decodeUiFrame(bytes), null);
      const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xd9]);
      const video = encodeUiFrame({
        kind: 'remote',
        peer: BOB,
        frame: 1,
        width: 4,
        height: 3,
        jpeg,
      });
      assert.equal(decodeUiVoice(video), null);
    });

    it('carries a microphone packet (kind 4) and refuses other kinds or empty ones', () => {
      const bytes = encodeUiMic(packet);
      assert.equal(bytes[0], FRAME_KIND_MIC);
      assert.deepEqual([...(decodeUiMic(bytes) ?? [])], [...packet]);
      assert.equal(decodeUiMic(Uint8Array.of(FRAME_KIND_MIC)), null);
      assert.equal(decodeUiMic(encodeUiVoice({ peer: BOB, packet })), null);
      assert.equal(decodeUiVoice(Uint8Array.of(FRAME_KIND_VOICE, 1, 2)), null);
      assert.throws(() => encodeUiVoice({ peer: 'nobody', packet }), RangeError);
      assert.throws(() => encodeUiMic(new Uint8Array(0)), RangeError);
    });
  });

  describe('microphone intake (both shells)', () => {
    const good = encodeUiMic(encodeVoicePacket(HEADER, OPUS));

    it('passes a valid microphone frame on as its voice packet', () => {
      const verdict = checkMicFrame(good);
      assert.ok(verdict.ok);
      assert.deepEqual([...verdict.packet], [...good.subarray(1)]);
    });

    it('refuses what is not a valid voice packet, with a reason', () => {
      const badVersion = good.slice();
      badVersion[1] = 9;
      const badLevel = good.slice();
      badLevel[3] = 200;
      const cases: [unknown, RegExp][] = [
        ['text', /not binary/],
        [Uint8Array.of(FRAME_KIND_VOICE, 1, 2, 3), /not a microphone frame/],
        [good.subarray(0, 10), /truncated/],
        [badVersion, /bad-version/],
        [badLevel, /bad-field/],
      ];
      for (const [bytes, reason] of cases) {
        const verdict = checkMicFrame(bytes);
        assert.equal(verdict.ok, false);
        if (!verdict.ok) assert.match(verdict.message, reason);
      }
    });

    it('delivers only valid frames, counts bad ones, and warns only about the first', () => {
      const delivered: Uint8Array[] = [];
      const { logger, lines } = recordingLogger();
      const intake = new MicIntake((packet) => delivered.push(packet), logger);
      intake.take(good);
      for (let i = 0; i < 5; i++) intake.take(Uint8Array.of(FRAME_KIND_MIC, 0));
      intake.take(good);
      assert.equal(delivered.length, 2);
      assert.equal(intake.bad, 5);
      assert.equal(lines.filter((line) => line.level === 'warn').length, 1);
      assert.equal(lines.filter((line) => line.level === 'debug').length, 4);
    });
  });

  describe('store and settings', () => {
    let ui: Renderer;
    before(async () => {
      ui = await loadRenderer<Renderer>({
        'state/reducer.ts': ['initialState', 'reduce'],
        'audio/settings.ts': ['clampVolume', 'meterPercent'],
      });
    });
    const ev = (event: SessionEvent): Action => ({
      type: 'server',
      message: { type: 'event', event },
    });
    const hello: Action = {
      type: 'server',
      message: { type: 'hello', self: { id: SELF, name: 'Ada', port: 1, fingerprint: 'x' } },
    };
    const fold = (...actions: Action[]): VoiceUiState =>
      actions.reduce((state, action) => ui.reduce(state, action), ui.initialState());
    const joined = ev({
      event: 'call-joined',
      call: CALL,
      members: [{ peer: BOB, name: 'Bob', state: 'connected', safetyCode: '1', verified: false }],
    });

    it('starts unmuted, with no source known and nobody muted', () => {
      assert.deepEqual(ui.initialState().voice, { source: null, muted: false, membersMuted: {} });
    });

    it('takes our mute state from audio-settings and from mute-state about our own id', () => {
      let state = fold(hello, ev({ event: 'audio-settings', source: 'ui', muted: true }));
      assert.deepEqual(state.voice, { source: 'ui', muted: true, membersMuted: {} });
      state = ui.reduce(state, ev({ event: 'mute-state', peer: SELF, muted: false }));
      assert.equal(state.voice.muted, false);
      assert.deepEqual(state.voice.membersMuted, {});
    });

    it("keeps members' mute states until they leave or the call ends", () => {
      const muted = fold(hello, joined, ev({ event: 'mute-state', peer: BOB, muted: true }));
      assert.deepEqual(muted.voice.membersMuted, { [BOB]: true });
      const left = ui.reduce(
        muted,
        ev({ event: 'member-left', call: CALL, peer: BOB, name: 'Bob', reason: 'left' }),
      );
      assert.deepEqual(left.voice.membersMuted, {});
      const ended = ui.reduce(muted, ev({ event: 'call-ended', call: CALL, reason: 'left' }));
      assert.deepEqual(ended.voice.membersMuted, {});
      // Our own mute outlives the call: it is a setting of ours.
      const self = fold(hello, ev({ event: 'mute-state', peer: SELF, muted: true }));
      assert.equal(
        ui.reduce(self, ev({ event: 'call-ended', call: CALL, reason: 'left' })).voice.muted,
        true,
      );
    });

    it('clamps volumes to 0…2 (1 for anything unreadable) and maps levels onto the meter', () => {
      assert.equal(ui.clampVolume('0.5'), 0.5);
      assert.equal(ui.clampVolume(7), 2);
      assert.equal(ui.clampVolume(-1), 0);
      assert.equal(ui.clampVolume('loud'), 1);
      assert.equal(ui.clampVolume(Number.NaN), 1);
      assert.equal(ui.meterPercent(0), 100);
      assert.equal(ui.meterPercent(30), 50);
      assert.equal(ui.meterPercent(60), 0);
      assert.equal(ui.meterPercent(127), 0);
    });
  });
});
