/** Unit tests of the interface's pure parts: the frame decoder, the store's reducer, validation. */
import assert from 'node:assert/strict';
import type { MemberEventView, PeerView, SessionEvent } from '../../protocol/api.js';
import type { ServerMessage, UiVideoFrame } from '../../protocol/ui-protocol.js';
import {
  FRAME_HEADER_BYTES,
  FRAME_KIND_LOCAL,
  FRAME_KIND_REMOTE,
} from '../../protocol/ui-protocol.js';
import { encodeUiFrame } from '../../main/bridge/frame-codec.js';
import { loadRenderer } from './load-renderer.js';

/** The parts of the renderer's AppState these tests read (the renderer has the full type). */
interface UiState {
  self: { id: string; name: string } | null;
  peers: Record<string, PeerView>;
  invites: { call: string; from: string; trust: string; members: string[] }[];
  outgoing: Record<string, string>;
  call: { id: string; members: MemberEventView[] } | null;
  chat: {
    call: string | null;
    messages: { id: string; from: string; text: string }[];
    unread: number;
    visible: boolean;
  };
  media: { filters: string[]; enabled: boolean } | null;
  stats: { members: Record<string, { fps: number }> };
  videoOff: Record<string, boolean>;
  /** Messages (ids and values) or the node's own text: read them through `english.text`. */
  toasts: { id: number; kind: string; title: UiText; message: UiText }[];
  trustWarnings: { peer: string; message: string }[];
}

type UiText = string | { id: string; values?: Record<string, string | number> };

interface UiTranslator {
  text(text: UiText): string;
  time(ts: number): string;
}

type UiAction =
  | { type: 'server'; message: ServerMessage }
  | { type: 'chat-visible'; visible: boolean }
  | { type: 'dismiss-toast'; id: number }
  | { type: 'invite-answered'; call: string };

interface Renderer {
  decodeUiFrame(bytes: Uint8Array): UiVideoFrame | null;
  encodeUiFrame(frame: UiVideoFrame): Uint8Array;
  FRAME_HEADER_BYTES: number;
  FRAME_KIND_REMOTE: number;
  FRAME_KIND_LOCAL: number;
  initialState(): UiState;
  reduce(state: UiState, action: UiAction): UiState;
  MAX_TOASTS: number;
  parseServerMessage(text: string): ServerMessage | null;
  reconnectDelay(attempt: number, random?: () => number): number;
  toggleFilter(chain: readonly string[], name: string): string[];
  moveEarlier(chain: readonly string[], name: string): string[];
  webSocketUrl(location: { protocol: string; host: string }): string;
  availableTabs(inCall: boolean, narrow: boolean): string[];
  createTranslator(locale: string): UiTranslator;
  isoTime(ts: number): string | null;
  errorTitle(code: string): UiText;
}

const SELF = 'a'.repeat(32);
const BOB = 'b'.repeat(32);
const CY = 'c'.repeat(32);
const CALL = 'd'.repeat(32);

const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);

function peer(id: string, name: string, trust: PeerView['trust'] = 'new'): PeerView {
  return {
    peer: id,
    name,
    host: '10.0.0.2',
    port: 4000,
    safetyCode: '11111 22222 33333 44444 55555 66666',
    fingerprint: 'ab:cd',
    trust,
    source: 'mdns',
  };
}

function member(id: string, name: string, state: MemberEventView['state']): MemberEventView {
  return { peer: id, name, state, safetyCode: '1 2 3', verified: false };
}

function chat(id: string, from: string, clock: number, text: string): SessionEvent {
  return {
    event: 'chat',
    call: CALL,
    from,
    name: from === SELF ? 'Ada' : 'Bob',
    id,
    text,
    ts: 1,
    clock,
  };
}

describe('interface logic (renderer/, bundled for Node)', function () {
  this.timeout(30_000);
  let ui: Renderer;
  let english: UiTranslator;

  const ev = (event: SessionEvent): UiAction => ({
    type: 'server',
    message: { type: 'event', event },
  });
  const fold = (...actions: UiAction[]): UiState =>
    actions.reduce((state, action) => ui.reduce(state, action), ui.initialState());
  const hello: UiAction = {
    type: 'server',
    message: { type: 'hello', self: { id: SELF, name: 'Ada', port: 1, fingerprint: 'x' } },
  };

  before(async () => {
    ui = await loadRenderer<Renderer>({
      '../protocol/ui-frames.ts': [
        'decodeUiFrame',
        'encodeUiFrame',
        'FRAME_HEADER_BYTES',
        'FRAME_KIND_REMOTE',
        'FRAME_KIND_LOCAL',
      ],
      'state/reducer.ts': ['initialState', 'reduce', 'MAX_TOASTS'],
      'state/errors.ts': ['errorTitle'],
      'transport/transport.ts': ['parseServerMessage'],
      'transport/backoff.ts': ['reconnectDelay'],
      'transport/websocket.ts': ['webSocketUrl'],
      'lib/filter-chain.ts': ['toggleFilter', 'moveEarlier'],
      'components/tabs.ts': ['availableTabs'],
      'i18n/catalog.ts': ['createTranslator'],
      '../protocol/time.ts': ['isoTime'],
    });
    english = ui.createTranslator('en');
  });

  describe('frame decoder', () => {
    it('uses the layout of main/ui-protocol.ts', () => {
      assert.equal(ui.FRAME_HEADER_BYTES, FRAME_HEADER_BYTES);
      assert.equal(ui.FRAME_KIND_REMOTE, FRAME_KIND_REMOTE);
      assert.equal(ui.FRAME_KIND_LOCAL, FRAME_KIND_LOCAL);
    });

    it('reads kind, peer id, frame number, size and the JPEG', () => {
      const bytes = new Uint8Array(FRAME_HEADER_BYTES + JPEG.length);
      bytes[0] = FRAME_KIND_REMOTE;
      for (let i = 0; i < 16; i++) bytes[1 + i] = i * 17;
      const view = new DataView(bytes.buffer);
      view.setUint32(17, 0xfffffffe);
      view.setUint16(21, 1280);
      view.setUint16(23, 720);
      bytes.set(JPEG, FRAME_HEADER_BYTES);
      const frame = ui.decodeUiFrame(bytes);
      assert.ok(frame);
      assert.equal(frame.kind, 'remote');
      assert.equal(frame.peer, '00112233445566778899aabbccddeeff');
      assert.equal(frame.frame, 0xfffffffe);
      assert.equal(frame.width, 1280);
      assert.equal(frame.height, 720);
      assert.deepEqual(Array.from(frame.jpeg), Array.from(JPEG));
    });

    it('round-trips with encodeFrame, also from a view into a larger buffer', () => {
      const frame: UiVideoFrame = {
        kind: 'local',
        peer: SELF,
        frame: 7,
        width: 4,
        height: 3,
        jpeg: JPEG,
      };
      const encoded = ui.encodeUiFrame(frame);
      const padded = new Uint8Array(encoded.length + 10);
      padded.set(encoded, 5);
      const decoded = ui.decodeUiFrame(padded.subarray(5, 5 + encoded.length));
      assert.ok(decoded);
      assert.deepEqual(
        { ...decoded, jpeg: Array.from(decoded.jpeg) },
        { ...frame, jpeg: Array.from(JPEG) },
      );
    });

    it("decodes what the node's bridge encodes", () => {
      for (const frame of [
        { kind: 'remote', peer: BOB, frame: 123456, width: 640, height: 480, jpeg: JPEG },
        { kind: 'local', peer: SELF, frame: 0, width: 320, height: 240, jpeg: JPEG },
      ] satisfies UiVideoFrame[]) {
        const decoded = ui.decodeUiFrame(encodeUiFrame(frame));
        assert.ok(decoded);
        assert.deepEqual(
          { ...decoded, jpeg: Array.from(decoded.jpeg) },
          { ...frame, jpeg: Array.from(frame.jpeg) },
        );
      }
    });

    it('refuses malformed frames instead of throwing', () => {
      const good = ui.encodeUiFrame({
        kind: 'remote',
        peer: BOB,
        frame: 1,
        width: 2,
        height: 2,
        jpeg: JPEG,
      });
      const variants: Uint8Array[] = [
        new Uint8Array(0),
        good.subarray(0, FRAME_HEADER_BYTES),
        Uint8Array.from([3, ...good.subarray(1)]),
        Uint8Array.from([0, ...good.subarray(1)]),
      ];
      const zeroWidth = good.slice();
      zeroWidth[21] = 0;
      zeroWidth[22] = 0;
      variants.push(zeroWidth);
      const notJpeg = good.slice();
      notJpeg[FRAME_HEADER_BYTES] = 0x89;
      variants.push(notJpeg);
      for (const bytes of variants) assert.equal(ui.decodeUiFrame(bytes), null);
    });
  });

  describe('reducer', () => {
    it('keeps the peers list from peer-up, peer-down and peers, never listing ourselves', () => {
      const state = fold(
        hello,
        ev({ event: 'peer-up', ...peer(BOB, 'Bob') }),
        ev({ event: 'peer-up', ...peer(SELF, 'Ada') }),
        ev({ event: 'peer-up', ...peer(CY, 'Cy') }),
        ev({ event: 'peer-down', peer: CY, name: 'Cy' }),
      );
      assert.deepEqual(Object.keys(state.peers), [BOB]);
      const replaced = ui.reduce(state, ev({ event: 'peers', peers: [peer(CY, 'Cy', 'known')] }));
      assert.deepEqual(Object.keys(replaced.peers), [CY]);
      assert.equal(replaced.peers[CY]?.trust, 'known');
    });

    it('queues invites and drops them when answered, cancelled or joined', () => {
      const invite = (call: string): SessionEvent => ({
        event: 'invite',
        call,
        from: BOB,
        name: 'Bob',
        safetyCode: '1',
        trust: 'new',
      });
      let state = fold(hello, ev(invite(CALL)), ev(invite('e'.repeat(32))), ev(invite(CALL)));
      assert.deepEqual(
        state.invites.map((i) => i.call),
        ['e'.repeat(32), CALL],
      );
      state = ui.reduce(state, { type: 'invite-answered', call: CALL });
      assert.deepEqual(
        state.invites.map((i) => i.call),
        ['e'.repeat(32)],
      );
      state = ui.reduce(state, ev({ event: 'invite-cancelled', call: 'e'.repeat(32), from: BOB }));
      assert.equal(state.invites.length, 0);
      assert.equal(english.text(state.toasts.at(-1)?.title ?? ''), 'Invite withdrawn');
    });

    it("keeps who else is in an invite's call, and forgets an invite we took back", () => {
      const invite = { call: CALL, from: BOB, name: 'Bob', safetyCode: '1', trust: 'new' } as const;
      let state = fold(
        hello,
        ev({ event: 'invite', ...invite }),
        ev({ event: 'invite-sent', call: 'e'.repeat(32), peer: CY }),
      );
      assert.deepEqual(state.invites[0]?.members, [], 'no names: nobody else');
      state = ui.reduce(state, ev({ event: 'invite', ...invite, members: ['Cy', 'Dee'] }));
      assert.deepEqual(state.invites[0]?.members, ['Cy', 'Dee']);
      state = ui.reduce(state, ev({ event: 'invite-withdrawn', call: 'e'.repeat(32), peer: CY }));
      assert.deepEqual(state.outgoing, {});
    });

    it('follows a call: joined, member states, left, ended', () => {
      let state = fold(
        hello,
        ev({ event: 'invite-sent', call: CALL, peer: BOB }),
        ev({ event: 'call-joined', call: CALL, members: [] }),
      );
      assert.equal(state.call?.id, CALL);
      assert.equal(state.outgoing[BOB], CALL);
      state = ui.reduce(
        state,
        ev({ event: 'member-joined', call: CALL, ...member(BOB, 'Bob', 'connecting') }),
      );
      assert.deepEqual(state.outgoing, {});
      state = ui.reduce(
        state,
        ev({ event: 'member-state', call: CALL, ...member(BOB, 'Bob', 'connected') }),
      );
      state = ui.reduce(
        state,
        ev({ event: 'member-joined', call: CALL, ...member(CY, 'Cy', 'connected') }),
      );
      assert.deepEqual(
        state.call?.members.map((m) => `${m.name}:${m.state}`),
        ['Bob:connected', 'Cy:connected'],
      );
      state = ui.reduce(state, ev({ event: 'video-state', peer: CY, enabled: false }));
      assert.equal(state.videoOff[CY], true);
      state = ui.reduce(
        state,
        ev({ event: 'member-left', call: CALL, peer: CY, name: 'Cy', reason: 'left' }),
      );
      assert.deepEqual(
        state.call?.members.map((m) => m.peer),
        [BOB],
      );
      assert.equal(state.videoOff[CY], undefined);
      assert.equal(english.text(state.toasts.at(-1)?.title ?? ''), 'Cy left the call');
      const toasts = state.toasts.length;
      state = ui.reduce(state, ev({ event: 'call-ended', call: CALL, reason: 'left' }));
      assert.equal(state.call, null);
      assert.equal(state.toasts.length, toasts, 'leaving ourselves needs no toast');
    });

    it('`members` after a reconnection restores or clears the call', () => {
      const inCall = fold(
        hello,
        ev({ event: 'members', call: CALL, members: [member(BOB, 'Bob', 'reconnecting')] }),
      );
      assert.equal(inCall.call?.members[0]?.state, 'reconnecting');
      assert.equal(ui.reduce(inCall, ev({ event: 'members', call: null, members: [] })).call, null);
    });

    it('orders chat by (clock, author, id), ignores duplicates, counts unread only while hidden', () => {
      let state = fold(
        hello,
        ev({ event: 'call-joined', call: CALL, members: [member(BOB, 'Bob', 'connected')] }),
        ev(chat('m2', BOB, 2, 'second')),
        ev(chat('m1', SELF, 1, 'first')),
        ev(chat('m3', BOB, 2, 'third? no: same clock, later author')),
        ev(chat('m2', BOB, 2, 'second')),
      );
      assert.deepEqual(
        state.chat.messages.map((m) => m.id),
        ['m1', 'm2', 'm3'],
      );
      assert.equal(
        state.chat.unread,
        2,
        'our own message is never unread; the duplicate counts once',
      );
      state = ui.reduce(state, { type: 'chat-visible', visible: true });
      assert.equal(state.chat.unread, 0);
      state = ui.reduce(state, ev(chat('m4', BOB, 3, 'seen at once')));
      assert.equal(state.chat.unread, 0);
      state = ui.reduce(
        state,
        ev({
          event: 'history',
          call: CALL,
          messages: [
            { id: 'm0', from: BOB, name: 'Bob', ts: 0, clock: 0, text: 'zero' },
            { id: 'm1', from: SELF, name: 'Ada', ts: 1, clock: 1, text: 'first' },
          ],
        }),
      );
      assert.deepEqual(
        state.chat.messages.map((m) => m.id),
        ['m0', 'm1', 'm2', 'm3', 'm4'],
      );
    });

    it('a new call starts with an empty chat', () => {
      const state = fold(
        hello,
        ev({ event: 'call-joined', call: CALL, members: [] }),
        ev(chat('m1', BOB, 1, 'old call')),
        ev({ event: 'call-ended', call: CALL, reason: 'everyone left' }),
        ev({ event: 'call-joined', call: 'f'.repeat(32), members: [] }),
      );
      assert.equal(state.chat.messages.length, 0);
      assert.equal(state.chat.unread, 0);
    });

    it("errors become toasts in the user's words, never the node's; the list stays short", () => {
      let state = fold(hello);
      const codes = ['ERR_CONNECT', 'ERR_INTERNAL', 'ERR_NO_FRAME', 'ERR_LINK_FAILED'] as const;
      for (const code of [...codes, 'ERR_CONNECT', 'ERR_CAMERA_UNAVAILABLE'] as const) {
        state = ui.reduce(state, ev({ event: 'error', code, message: 'connect ECONNREFUSED 1' }));
      }
      assert.equal(state.toasts.length, ui.MAX_TOASTS);
      const last = state.toasts.at(-1);
      assert.equal(last?.kind, 'error');
      assert.equal(english.text(last?.title ?? ''), 'Camera unavailable');
      assert.match(english.text(last?.message ?? ''), /^The camera couldn't be opened\./);
      for (const toast of state.toasts) {
        assert.doesNotMatch(english.text(toast.message), /ECONNREFUSED/);
      }
      const same = ui.reduce(
        state,
        ev({ event: 'error', code: 'ERR_CAMERA_UNAVAILABLE', message: 'other words' }),
      );
      assert.equal(same, state, 'the same error twice in a row is one toast');
      const dismissed = ui.reduce(state, { type: 'dismiss-toast', id: last?.id ?? -1 });
      assert.equal(dismissed.toasts.length, ui.MAX_TOASTS - 1);
      assert.equal(english.text(ui.errorTitle('ERR_SOMETHING_NEW')), 'Error');
    });

    it('key changes warn, and trusting or verifying updates peers, members and warnings', () => {
      let state = fold(
        hello,
        ev({ event: 'peer-up', ...peer(BOB, 'Bob', 'known') }),
        ev({ event: 'call-joined', call: CALL, members: [member(BOB, 'Bob', 'connected')] }),
        ev({
          event: 'key-changed',
          peer: BOB,
          name: 'Bob',
          previousPeer: CY,
          message: 'Bob now has a different key',
        }),
      );
      assert.equal(state.peers[BOB]?.trust, 'key-changed');
      assert.deepEqual(
        state.trustWarnings.map((w) => w.message),
        ['Bob now has a different key'],
      );
      assert.equal(state.toasts.at(-1)?.kind, 'warning');
      assert.doesNotMatch(english.text(state.toasts.at(-1)?.message ?? ''), /different key/);
      state = ui.reduce(state, ev({ event: 'trust-changed', peer: BOB, trust: 'known' }));
      assert.equal(state.trustWarnings.length, 0);
      state = ui.reduce(state, ev({ event: 'trust-changed', peer: BOB, trust: 'verified' }));
      assert.equal(state.peers[BOB]?.trust, 'verified');
      assert.equal(state.call?.members[0]?.verified, true);
    });

    it('keeps media settings and per-member stats', () => {
      const state = fold(
        hello,
        ev({ event: 'call-joined', call: CALL, members: [member(BOB, 'Bob', 'connected')] }),
        ev({
          event: 'media-settings',
          source: 'pattern',
          width: 640,
          height: 480,
          fps: 30,
          filters: ['reds', 'blur'],
          enabled: true,
        }),
        ev({
          event: 'stats',
          call: CALL,
          sending: {
            fps: 30,
            kbps: 900,
            quality: 80,
            scale: 1,
            width: 640,
            height: 480,
            skipped: 0,
            keyId: 1,
            keyframesForced: 0,
            layers: [{ peer: BOB, layer: 0 }],
            audio: { packets: 250, kbps: 33.6, muted: false },
          },
          members: [
            {
              peer: BOB,
              fps: 29.5,
              kbps: 800,
              latencyP50Ms: 4,
              latencyP95Ms: 9,
              codec: 'h264',
              layer: 0,
              keyframesRequested: 1,
              undecodable: 0,
              received: 100,
              lost: 0,
              rejected: 0,
              overBudget: 0,
              width: 640,
              height: 480,
              rttMs: 1,
              audio: {
                packets: 250,
                lost: 0,
                concealedMs: 0,
                jitterMs: 1.5,
                bufferMs: 40,
                level: -30,
                speaking: true,
                delayP50Ms: 45,
                delayP95Ms: 52,
              },
            },
          ],
        }),
      );
      assert.deepEqual(state.media?.filters, ['reds', 'blur']);
      assert.equal(state.stats.members[BOB]?.fps, 29.5);
    });
  });

  describe('validation of what the node sends', () => {
    it('accepts well-formed messages and drops malformed ones', () => {
      const good = { type: 'event', event: { event: 'peer-down', peer: BOB, name: 'Bob' } };
      assert.deepEqual(ui.parseServerMessage(JSON.stringify(good)), good);
      for (const bad of [
        'not json',
        '[]',
        JSON.stringify({ type: 'event', event: { event: 'peer-down', peer: 7, name: 'Bob' } }),
        JSON.stringify({ type: 'event', event: { event: 'peers', peers: [{ peer: BOB }] } }),
        JSON.stringify({
          type: 'event',
          event: { event: 'trust-changed', peer: BOB, trust: 'pwned' },
        }),
        JSON.stringify({ type: 'event', event: { event: 'no-such-event' } }),
        JSON.stringify({ type: 'event', event: { event: 'toString' } }),
        JSON.stringify({ type: 'hello', self: { id: SELF } }),
        JSON.stringify({ type: 'other' }),
      ]) {
        assert.equal(ui.parseServerMessage(bad), null, bad);
      }
    });
  });

  describe('small helpers', () => {
    it('reconnects after 250 ms doubling up to 5 s, with jitter', () => {
      assert.equal(
        ui.reconnectDelay(0, () => 0),
        250,
      );
      assert.equal(
        ui.reconnectDelay(1, () => 0),
        500,
      );
      assert.equal(
        ui.reconnectDelay(10, () => 0),
        5000,
      );
      assert.equal(
        ui.reconnectDelay(2, () => 1),
        1200,
      );
    });

    it('builds the WebSocket URL from the page URL, without any secret in it', () => {
      assert.equal(
        ui.webSocketUrl({ protocol: 'http:', host: '127.0.0.1:4321' }),
        'ws://127.0.0.1:4321/ws',
      );
    });

    it('edits the filter chain in order', () => {
      assert.deepEqual(ui.toggleFilter([], 'reds'), ['reds']);
      assert.deepEqual(ui.toggleFilter(['reds'], 'blur'), ['reds', 'blur']);
      assert.deepEqual(ui.toggleFilter(['reds', 'blur'], 'reds'), ['blur']);
      assert.deepEqual(ui.moveEarlier(['reds', 'blur'], 'blur'), ['blur', 'reds']);
      assert.deepEqual(ui.moveEarlier(['reds', 'blur'], 'reds'), ['reds', 'blur']);
      const full = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
      assert.deepEqual(ui.toggleFilter(full, 'i'), full);
    });

    it('shows a date Date cannot hold as "—" instead of throwing', () => {
      assert.equal(english.time(8.64e15 + 1), '—');
      assert.equal(english.time(Number.NaN), '—');
      assert.match(english.time(Date.now()), /\d/);

      assert.equal(ui.isoTime(8.64e15 + 1), null);
      assert.equal(ui.isoTime(-8.64e15 - 1), null);
      assert.equal(ui.isoTime(0), '1970-01-01T00:00:00.000Z');
    });

    it('offers the stage as a tab only in narrow windows', () => {
      assert.deepEqual(ui.availableTabs(false, false), ['nearby', 'filters', 'settings']);
      assert.deepEqual(ui.availableTabs(true, true), [
        'stage',
        'people',
        'chat',
        'nearby',
        'filters',
        'settings',
      ]);
    });
  });
});
