/** The interface's transport helpers: messages held until someone listens, refusals counted. */
import assert from 'node:assert/strict';
import { loadRenderer } from './load-renderer.js';

interface HeldMessagesLike<T> {
  add(listener: (value: T) => void): () => void;
  emit(value: T): void;
}

interface TransportModule {
  HeldMessages: new <T>(capacity?: number) => HeldMessagesLike<T>;
  parseServerMessage: (text: string) => unknown;
  refusedServerMessages: () => number;
}

describe('the interface transport', () => {
  let ui: TransportModule;
  before(async () => {
    ui = await loadRenderer<TransportModule>({
      'transport/transport.ts': ['HeldMessages', 'parseServerMessage', 'refusedServerMessages'],
    });
  });

  it('holds what arrives before anyone listens and gives it, in order, to the first listener', () => {
    const held = new ui.HeldMessages<string>();
    held.emit('hello');
    held.emit('peers');
    const first: string[] = [];
    const off = held.add((value) => first.push(value));
    assert.deepEqual(first, ['hello', 'peers']);
    held.emit('members');
    assert.deepEqual(first, ['hello', 'peers', 'members']);
    // A second listener hears only what comes after it.
    const second: string[] = [];
    held.add((value) => second.push(value));
    held.emit('chat');
    assert.deepEqual(second, ['chat']);
    assert.deepEqual(first, ['hello', 'peers', 'members', 'chat']);
    off();
  });

  it('keeps only the newest messages when nobody listens for long', () => {
    const held = new ui.HeldMessages<number>(3);
    for (let i = 0; i < 10; i += 1) held.emit(i);
    const got: number[] = [];
    held.add((value) => got.push(value));
    assert.deepEqual(got, [7, 8, 9]);
  });

  it('counts what it drops from the node and says where the message broke the protocol', () => {
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (text: string) => warnings.push(text);
    try {
      const before = ui.refusedServerMessages();
      assert.equal(ui.parseServerMessage('not json'), null);
      const secret = 'my secret chat text';
      assert.equal(
        ui.parseServerMessage(JSON.stringify({ type: 'event', event: { event: 'x', secret } })),
        null,
      );
      assert.equal(ui.refusedServerMessages(), before + 2);
      assert.ok(warnings.length >= 1, 'the first refusal is reported');
      assert.ok(
        warnings.every((line) => !line.includes(secret)),
        'never the content of a message',
      );
    } finally {
      console.warn = warn;
    }
  });
});
