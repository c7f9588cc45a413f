import assert from 'node:assert/strict';
import { controlMessageSchema } from '../../p2p/link/control-messages.js';
import { decodeJson, encodeJson } from '../../p2p/base/json-codec.js';
import { signalingMessageSchema } from '../../p2p/signaling/messages.js';
import { commandSchema } from '../../protocol/api.js';

const CALL = 'a'.repeat(32);
const TICKET = { inviter: CALL, epoch: 3, expires: 1, nonce: CALL, sig: `${'B'.repeat(86)}==` };
const ENTRY = { id: CALL, publicKey: `${'C'.repeat(43)}=`, host: '10.0.0.2', port: 4000 };

describe('wire messages', () => {
  it('refuses a media key that is not canonical base64 of 32 bytes (found by npm run fuzz)', () => {
    // Nonzero padding bits: passes a character regex, and made PeerMediaKeys.add throw.
    const message = (key: string): Uint8Array => encodeJson({ t: 'media-key', keyId: 1, key });
    const nonCanonical = decodeJson(message(`${'A'.repeat(42)}B=`), controlMessageSchema);
    assert.equal(nonCanonical.ok, false);
    assert.match(nonCanonical.ok ? '' : nonCanonical.error, /at key/);
    assert.ok(decodeJson(message(`${'A'.repeat(42)}E=`), controlMessageSchema).ok);
  });

  it('round-trips every signaling message kind', () => {
    const messages = [
      { t: 'hello', v: 1, name: 'Ada', port: 4000 },
      { t: 'invite', call: CALL },
      { t: 'invite', call: CALL, members: ['Bob', 'Cy'] },
      { t: 'join', call: CALL, ticket: TICKET },
      { t: 'accept', call: CALL },
      {
        t: 'admit',
        call: CALL,
        ticket: TICKET,
        roster: { epoch: 4, members: [{ ...ENTRY, ticket: TICKET }] },
      },
      { t: 'decline', call: CALL, reason: 'busy' },
      { t: 'cancel', call: CALL },
      { t: 'offer', call: CALL, link: 0, sdp: 'v=0' },
      { t: 'answer', call: CALL, link: 0, sdp: 'v=0' },
      { t: 'candidate', call: CALL, link: 1, candidate: 'a=candidate:1', mid: '0' },
      { t: 'bye', call: CALL },
    ];
    for (const message of messages) {
      const decoded = decodeJson(encodeJson(message), signalingMessageSchema);
      assert.ok(decoded.ok, JSON.stringify(message));
      assert.deepEqual(decoded.value, message);
    }
  });

  it('rejects malformed signaling messages with a reason', () => {
    const bad: unknown[] = [
      { t: 'invite', call: 'not-hex' },
      { t: 'invite', call: CALL, members: [] },
      // The names of who is in the call: bounded in number and length, never anything else.
      { t: 'invite', call: CALL, members: Array.from({ length: 17 }, (_, i) => `M${i}`) },
      { t: 'invite', call: CALL, members: ['x'.repeat(65)] },
      { t: 'invite', call: CALL, members: [''] },
      { t: 'invite', call: CALL, members: [{ id: CALL }] },
      { t: 'join', call: CALL, ticket: { ...TICKET, epoch: -1 } },
      { t: 'join', call: CALL, ticket: { ...TICKET, nonce: 'short' } },
      // A roster entry carries no name (names come from the member's own hello).
      {
        t: 'admit',
        call: CALL,
        ticket: TICKET,
        roster: { epoch: 0, members: [{ ...ENTRY, name: 'Mallory', ticket: TICKET }] },
      },
      { t: 'admit', call: CALL, ticket: TICKET, roster: { epoch: 0, members: [ENTRY] } },
      { t: 'offer', call: CALL, link: 0, sdp: 'x'.repeat(20_000) },
      { t: 'hello', v: 2, name: 'Ada', port: 1 },
      { t: 'hello', v: 1, name: '', port: 1 },
      { t: 'accept', call: CALL, extra: true },
      { t: 'nope' },
      [],
      null,
    ];
    for (const value of bad) {
      const decoded = decodeJson(encodeJson(value), signalingMessageSchema);
      assert.equal(decoded.ok, false, JSON.stringify(value)?.slice(0, 80));
    }
    const notJson = decodeJson(new Uint8Array([0xff, 0xfe]), signalingMessageSchema);
    assert.deepEqual(notJson, { ok: false, error: 'not UTF-8 JSON' });
  });

  it('bounds chat text on the control channel', () => {
    const message = {
      id: CALL,
      from: CALL,
      name: 'Ada',
      pk: `${'k'.repeat(43)}=`,
      ts: 1,
      clock: 1,
      text: 'hi',
      sig: `${'s'.repeat(86)}==`,
    };
    const chat = (changes: object): unknown => ({ t: 'chat', message: { ...message, ...changes } });
    assert.ok(controlMessageSchema.safeParse(chat({})).success);
    assert.ok(!controlMessageSchema.safeParse(chat({ text: '' })).success);
    assert.ok(!controlMessageSchema.safeParse(chat({ text: 'x'.repeat(4001) })).success);
    assert.ok(!controlMessageSchema.safeParse(chat({ clock: -1 })).success);
    assert.ok(!controlMessageSchema.safeParse(chat({ sig: 'short' })).success);
  });

  it('validates front-end commands', () => {
    assert.ok(commandSchema.safeParse({ cmd: 'invite', peer: CALL }).success);
    assert.ok(commandSchema.safeParse({ cmd: 'add-peer', host: '10.0.0.1', port: 4000 }).success);
    assert.ok(!commandSchema.safeParse({ cmd: 'invite', peer: 'bob' }).success);
    assert.ok(!commandSchema.safeParse({ cmd: 'chat', text: '   ' }).success);
    assert.ok(!commandSchema.safeParse({ cmd: 'add-peer', host: 'h', port: 70000 }).success);
    assert.ok(!commandSchema.safeParse({ cmd: 'rm -rf' }).success);
  });
});
