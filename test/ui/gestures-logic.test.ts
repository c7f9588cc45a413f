/** Raised hands, reactions and the call clock in the interface's store, under Node. */
import assert from 'node:assert/strict';
import type { SessionEvent } from '../../protocol/api.js';
import type { ServerMessage } from '../../protocol/ui-protocol.js';
import { loadRenderer } from './load-renderer.js';

interface GestureUiState {
  gestures: {
    hands: string[];
    reactions: { id: number; peer: string; emoji: string }[];
    nextReaction: number;
  };
}
type Action = { type: 'server'; message: ServerMessage } | { type: 'reaction-shown'; id: number };
interface Renderer {
  initialState(): GestureUiState;
  reduce(state: GestureUiState, action: Action): GestureUiState;
  formatDuration(ms: number): string;
  MAX_FLOATING_REACTIONS: number;
}

const SELF = 'a'.repeat(32);
const BOB = 'b'.repeat(32);
const CY = 'c'.repeat(32);
const CALL = 'd'.repeat(32);

describe('raise hand, reactions and call time in the interface (store, format)', function () {
  this.timeout(30_000);
  let ui: Renderer;
  before(async () => {
    ui = await loadRenderer<Renderer>({
      'state/reducer.ts': ['initialState', 'reduce'],
      'state/gestures.ts': ['MAX_FLOATING_REACTIONS'],
      'lib/format.ts': ['formatDuration'],
    });
  });
  const ev = (event: SessionEvent): Action => ({
    type: 'server',
    message: { type: 'event', event },
  });
  const fold = (...actions: Action[]): GestureUiState =>
    actions.reduce((state, action) => ui.reduce(state, action), ui.initialState());
  const member = (peer: string, name: string) =>
    ({ peer, name, state: 'connected', safetyCode: '1', verified: false }) as const;
  const joined = ev({
    event: 'call-joined',
    call: CALL,
    members: [member(BOB, 'Bob'), member(CY, 'Cy')],
  });
  const hand = (peer: string, raised: boolean): Action => ev({ event: 'hand', peer, raised });

  it('keeps raised hands in the order they went up; a hand raised twice keeps its place', () => {
    const state = fold(joined, hand(CY, true), hand(SELF, true), hand(BOB, true), hand(CY, true));
    assert.deepEqual(state.gestures.hands, [CY, SELF, BOB]);
    const lowered = fold(joined, hand(CY, true), hand(BOB, true), hand(CY, false), hand(CY, true));
    assert.deepEqual(lowered.gestures.hands, [BOB, CY], 'raised again: back of the queue');
  });

  it('clears a leaving member’s hand and reactions, and everything when the call ends', () => {
    const before = fold(
      joined,
      hand(BOB, true),
      hand(CY, true),
      ev({ event: 'reaction', peer: BOB, emoji: '👍' }),
    );
    const left = ui.reduce(
      before,
      ev({ event: 'member-left', call: CALL, peer: BOB, name: 'Bob', reason: 'left' }),
    );
    assert.deepEqual(left.gestures.hands, [CY]);
    assert.deepEqual(left.gestures.reactions, []);
    const ended = ui.reduce(left, ev({ event: 'call-ended', call: CALL, reason: 'left' }));
    assert.deepEqual(ended.gestures.hands, []);
  });

  it('floats each reaction until it has been shown, at most a bounded number at once', () => {
    let state = fold(joined, ev({ event: 'reaction', peer: BOB, emoji: '🎉' }));
    const [first] = state.gestures.reactions;
    assert.deepEqual(first && { peer: first.peer, emoji: first.emoji }, { peer: BOB, emoji: '🎉' });
    state = ui.reduce(state, { type: 'reaction-shown', id: first?.id ?? -1 });
    assert.deepEqual(state.gestures.reactions, []);
    for (let i = 0; i < ui.MAX_FLOATING_REACTIONS + 5; i++) {
      state = ui.reduce(state, ev({ event: 'reaction', peer: CY, emoji: '👏' }));
    }
    assert.equal(state.gestures.reactions.length, ui.MAX_FLOATING_REACTIONS);
    const ids = state.gestures.reactions.map((reaction) => reaction.id);
    assert.equal(new Set(ids).size, ids.length, 'every reaction has its own id');
  });

  it('shows the call time as mm:ss, then h:mm:ss', () => {
    assert.equal(ui.formatDuration(0), '00:00');
    assert.equal(ui.formatDuration(999), '00:00');
    assert.equal(ui.formatDuration(65_000), '01:05');
    assert.equal(ui.formatDuration(59 * 60_000 + 59_000), '59:59');
    assert.equal(ui.formatDuration(3600_000), '1:00:00');
    assert.equal(ui.formatDuration(3 * 3600_000 + 62_000), '3:01:02');
    assert.equal(ui.formatDuration(-5), '00:00');
  });
});
