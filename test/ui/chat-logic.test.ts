/** Unit tests of the chat's pure parts: unread counting, the chat kept after a call, links. */
import assert from 'node:assert/strict';
import type { SessionEvent } from '../../protocol/api.js';
import type { ServerMessage } from '../../protocol/ui-protocol.js';
import { webLink } from '../../protocol/web-link.js';
import { loadRenderer } from './load-renderer.js';

interface ChatView {
  call: string | null;
  messages: { id: string; text: string }[];
  unread: number;
}
interface UiState {
  call: { id: string } | null;
  chat: ChatView;
  closedChat: string | null;
}
type UiAction =
  | { type: 'server'; message: ServerMessage; at?: number }
  | { type: 'chat-visible'; visible: boolean }
  | { type: 'close-chat' };
type TextPart = { text: string } | { text: string; href: string };

interface Renderer {
  initialState(): UiState;
  reduce(state: UiState, action: UiAction): UiState;
  keptChat(state: UiState): ChatView | null;
  availableTabs(inCall: boolean, narrow: boolean, chatKept?: boolean): string[];
  splitLinks(text: string): TextPart[];
}

const SELF = 'a'.repeat(32);
const BOB = 'b'.repeat(32);
const CALL = 'd'.repeat(32);
const JOINED_AT = 1_700_000_000_000;

function chat(id: string, ts: number, text = id, call = CALL): SessionEvent {
  return { event: 'chat', call, from: BOB, name: 'Bob', id, text, ts, clock: ts - JOINED_AT };
}

describe('chat logic (renderer/, bundled for Node)', function () {
  this.timeout(30_000);
  let ui: Renderer;
  const ev = (event: SessionEvent, at = JOINED_AT): UiAction => ({
    type: 'server',
    message: { type: 'event', event },
    at,
  });
  const fold = (...actions: UiAction[]): UiState =>
    actions.reduce((state, action) => ui.reduce(state, action), ui.initialState());
  const hello: UiAction = {
    type: 'server',
    message: { type: 'hello', self: { id: SELF, name: 'Ada', port: 1, fingerprint: 'x' } },
  };
  const joined = ev({ event: 'call-joined', call: CALL, members: [] });

  before(async () => {
    ui = await loadRenderer<Renderer>({
      'state/reducer.ts': ['initialState', 'reduce'],
      'state/chat.ts': ['keptChat'],
      'components/tabs.ts': ['availableTabs'],
      'lib/links.ts': ['splitLinks'],
    });
  });

  it('history members send as we join is shown but not unread; what comes after is', () => {
    const state = fold(
      hello,
      joined,
      // Written a minute before we joined, relayed to us as we joined.
      ev(chat('old', JOINED_AT - 60_000), JOINED_AT + 300),
      // Written as we joined by a member whose clock runs a little behind ours.
      ev(chat('skewed', JOINED_AT - 1000), JOINED_AT + 400),
      ev(chat('new', JOINED_AT + 5000), JOINED_AT + 5000),
    );
    assert.deepEqual(
      state.chat.messages.map((m) => m.id),
      ['old', 'skewed', 'new'],
    );
    assert.equal(state.chat.unread, 2);
  });

  it('the history answer after a reconnection counts nothing as unread', () => {
    const state = fold(
      hello,
      ev({ event: 'members', call: CALL, members: [] }, JOINED_AT),
      ev({
        event: 'history',
        call: CALL,
        messages: [{ id: 'h1', from: BOB, name: 'Bob', ts: JOINED_AT + 10, clock: 1, text: 'x' }],
      }),
    );
    assert.equal(state.chat.messages.length, 1);
    assert.equal(state.chat.unread, 0);
  });

  it("keeps an ended call's chat until closed or a new call starts; an empty one goes", () => {
    const ended = fold(
      hello,
      joined,
      ev(chat('m1', JOINED_AT + 10, 'kept')),
      ev({ event: 'call-ended', call: CALL, reason: 'left' }),
    );
    assert.equal(ended.call, null);
    assert.deepEqual(
      ui.keptChat(ended)?.messages.map((m) => m.text),
      ['kept'],
    );
    assert.deepEqual(ui.availableTabs(false, false, true), [
      'nearby',
      'chat',
      'filters',
      'settings',
    ]);
    const closed = ui.reduce(ended, { type: 'close-chat' });
    assert.equal(ui.keptChat(closed), null);
    assert.equal(closed.chat.messages.length, 0);

    const next = ui.reduce(ended, ev({ event: 'call-joined', call: 'f'.repeat(32), members: [] }));
    assert.equal(next.chat.call, 'f'.repeat(32));
    assert.equal(next.chat.messages.length, 0);

    const live = fold(hello, joined, ev(chat('m1', JOINED_AT + 10)));
    assert.equal(ui.reduce(live, { type: 'close-chat' }), live, "a live call's chat stays");

    const empty = fold(hello, joined, ev({ event: 'call-ended', call: CALL, reason: 'left' }));
    assert.equal(ui.keptChat(empty), null, 'nothing to read: no chat kept');
  });

  it("after a reload out of a call, shows the last call's chat unless it was empty or closed", () => {
    const history = (messages: SessionEvent[]): UiAction =>
      ev({
        event: 'history',
        call: CALL,
        messages: messages.flatMap((m) => (m.event === 'chat' ? [m] : [])),
      });
    const reloaded = fold(hello, history([chat('m1', JOINED_AT - 60_000, 'from before')]));
    assert.deepEqual(
      ui.keptChat(reloaded)?.messages.map((m) => m.text),
      ['from before'],
    );
    assert.equal(reloaded.chat.unread, 0, 'history is never news');
    assert.equal(ui.keptChat(fold(hello, history([]))), null, 'an empty chat is not kept');

    const closed = ui.reduce(reloaded, { type: 'close-chat' });
    assert.equal(closed.closedChat, CALL);
    // The page reloads again: the closed call's chat stays closed.
    const again = ui.reduce(
      { ...ui.initialState(), closedChat: CALL },
      history([chat('m1', JOINED_AT - 60_000)]),
    );
    assert.equal(ui.keptChat(again), null);
  });

  it('makes http(s) addresses links, and nothing else', () => {
    const links = (text: string): string[] =>
      ui.splitLinks(text).flatMap((part) => ('href' in part ? [part.href] : []));
    assert.deepEqual(ui.splitLinks('see https://example.com/a?b=1, then.'), [
      { text: 'see ' },
      { text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { text: ', then.' },
    ]);
    assert.deepEqual(links('(docs: http://example.org/wiki/A_(b)).'), [
      'http://example.org/wiki/A_(b)',
    ]);
    assert.deepEqual(links('javascript:alert(1) file:///etc/passwd ftp://x.org meshcall://x'), []);
    assert.deepEqual(links('<a href="https://x.org">y</a>'), ['https://x.org/']);
    assert.deepEqual(links('https://bank.example@evil.example/'), []);
    const text = 'a https://x.org b http://y.org/c. d';
    assert.equal(
      ui
        .splitLinks(text)
        .map((part) => part.text)
        .join(''),
      text,
      'the parts give the text back',
    );
  });

  it('the desktop app opens only http(s) addresses outside', () => {
    assert.equal(webLink('https://example.com'), 'https://example.com/');
    assert.equal(webLink('http://10.0.0.2:8080/x'), 'http://10.0.0.2:8080/x');
    for (const bad of ['javascript:alert(1)', 'file:///etc/passwd', 'meshcall://app/', 'x', '']) {
      assert.equal(webLink(bad), null, bad);
    }
  });
});
