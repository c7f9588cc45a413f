/**
 * What the link-peer test processes (voice-link-peer.ts, layered-link-peer.ts) share: a real
 * Call for the member seeded `seed`, and JSON lines out on stdout to the parent test.
 */
import { signStatement } from '../../crypto/index.js';
import { silentLogger } from '../../p2p/base/logger.js';
import { Call } from '../../p2p/call/call.js';
import { seededIdentity } from './crypto-fixtures.js';
import { member } from './stub-call.js';

export function out(message: unknown): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/** A call whose local member is the one seeded `seed` (named `m<seed>`), signing its chat. */
export function seededCall(seed: number): Call {
  const self = member(seed, `m${seed}`);
  const identity = seededIdentity(seed);
  return new Call({
    local: {
      id: self.id,
      name: self.name,
      publicKey: self.publicKey,
      sign: (fields) => signStatement(identity, 'chat', fields),
    },
    logger: silentLogger,
    describeRoster: () => ({ epoch: 0, members: [] }),
  });
}
