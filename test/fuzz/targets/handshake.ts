import fc from 'fast-check';
import type { HandshakeFailure } from '../../../crypto/index.js';
import { parseFinish, parseHello, parseReply } from '../../../crypto/handshake-wire.js';
import { target, violation } from '../harness.js';
import { havocBytes } from '../havoc.js';
import { mutatedBytes } from '../mutate.js';
import { handshakeTranscript, newInitiator, newResponder } from './fixtures.js';

const FAILURES: ReadonlySet<string> = new Set<HandshakeFailure>([
  'malformed',
  'bad-version',
  'bad-signature',
  'unexpected-key',
  'reflected',
  'weak-key',
]);

type Kind = 'hello' | 'reply' | 'finish';

function outcome(result: { ok: boolean; reason?: string }): string {
  if (result.ok) return 'ok';
  if (typeof result.reason !== 'string' || !FAILURES.has(result.reason)) {
    violation(`untyped rejection ${String(result.reason)}`);
  }
  return `rejected:${result.reason}`;
}

function requireLengths(fields: Record<string, unknown>, lengths: Record<string, number>): void {
  for (const [name, length] of Object.entries(lengths)) {
    const field = fields[name];
    if (!(field instanceof Uint8Array) || field.length !== length)
      violation(`${name} is not ${length} bytes`);
  }
}

function parse(kind: Kind, bytes: Uint8Array): string {
  switch (kind) {
    case 'hello': {
      const r = parseHello(bytes);
      if (r.ok) requireLengths(r, { identityKey: 32, ephemeralKey: 32 });
      return outcome(r);
    }
    case 'reply': {
      const r = parseReply(bytes);
      if (r.ok)
        requireLengths(r, { identityKey: 32, ephemeralKey: 32, signedPart: 66, signature: 64 });
      return outcome(r);
    }
    case 'finish': {
      const r = parseFinish(bytes);
      if (r.ok) requireLengths(r, { signature: 64 });
      return outcome(r);
    }
  }
}

/** The state machine a peer's message reaches; each step costs milliseconds of tweetnacl. */
function exchange(kind: Kind, bytes: Uint8Array): string {
  const t = handshakeTranscript();
  switch (kind) {
    case 'hello':
      return outcome(newResponder().receiveHello(bytes));
    case 'reply': {
      const initiator = newInitiator();
      initiator.start();
      return outcome(initiator.receiveReply(bytes));
    }
    case 'finish': {
      const responder = newResponder();
      const replied = responder.receiveHello(t.hello);
      if (!replied.ok) violation(`the fixture hello was refused: ${replied.reason}`);
      return outcome(responder.receiveFinish(bytes));
    }
  }
}

const kind = fc.constantFrom<Kind>('hello', 'reply', 'finish');

export const handshakeTarget = target({
  name: 'handshake',
  parser: 'crypto/handshake-wire.ts parse*, handshake.ts receive*',
  arbitrary: kind.chain((k) =>
    fc.record({
      kind: fc.constant(k),
      bytes: mutatedBytes(
        fc.constant(0).map(() => handshakeTranscript()[k]),
        200,
      ),
      // One input in ~400 goes through the state machine (signatures and X25519 are slow).
      deep: fc.nat(399).map((n) => n === 0),
    }),
  ),
  havoc: (input, rng) => ({ ...input, bytes: havocBytes(input.bytes, rng) }),
  check({ kind: k, bytes, deep }) {
    return deep ? exchange(k, bytes) : parse(k, bytes);
  },
});
