/**
 * A hostile insider for the budget tests: a real `meshcall headless` node (pass this file as
 * HeadlessNode's `binPath`) that, on SIGUSR2, floods every open link with chat batches whose
 * signatures are forged. It is a member, so its batches pass every check but the signature:
 * each costs its receivers 64 Ed25519 verifications.
 *
 *   MESHCALL_FLOOD_BATCHES_PER_S   how many 64-message batches a second per link (default 200)
 *
 * Reports `{"event":"flood-started"}` and, every second, `{"event":"flood-sent", batches}` on
 * stdout beside the node's own events.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseIdentity, peerIdFromPublicKey, toBase64 } from '../../crypto/index.js';
import { randomId } from '../../p2p/base/ids.js';
import type { ChatWire } from '../../p2p/link/control-messages.js';
import { CHAT_BATCH } from '../../p2p/link/control-messages.js';
import { PeerLink } from '../../p2p/link/peer-link.js';
import { main } from '../../main/cli.js';

const TICK_MS = 20;
const perSecond = Number(process.env.MESHCALL_FLOOD_BATCHES_PER_S ?? '200');
/**
 * Batches are built once and sent again and again: forged messages never enter anyone's log,
 * so a resent one costs its receivers the same checks, and the rogue (sharing this machine's
 * two cores with its victims) spends its CPU on sending rather than on building.
 */
const POOL = 64;

// The node's links are made deep inside its session; remembering each one as it starts is
// the least intrusive way to reach them without a test-only switch in the product.
const links = new Set<PeerLink>();
// eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the link as `this`
const start = PeerLink.prototype.start;
PeerLink.prototype.start = function (this: PeerLink): void {
  links.add(this);
  this.on('close', () => links.delete(this));
  start.call(this);
};

function report(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

/** Well-formed, from a member (ourselves), with a signature that does not verify. */
function forgedBatch(publicKey: string, from: string, clock: number): ChatWire[] {
  return Array.from({ length: CHAT_BATCH }, (_, i) => ({
    id: randomId(),
    from,
    name: 'rogue',
    pk: publicKey,
    ts: Date.now(),
    clock: clock + i,
    text: 'x'.repeat(60),
    sig: toBase64(randomBytes(64)),
  }));
}

/** Our own key, from the identity file the node created in its --data-dir. */
function ownKey(): { publicKey: string; from: string } {
  const dataDir = process.argv[process.argv.indexOf('--data-dir') + 1] ?? '.';
  const { publicKey } = parseIdentity(readFileSync(join(dataDir, 'identity.json'), 'utf8'));
  return { publicKey: toBase64(publicKey), from: peerIdFromPublicKey(publicKey) };
}

function flood(): void {
  const { publicKey, from } = ownKey();
  let sent = 0;
  const pool = Array.from({ length: POOL }, (_, i) =>
    forgedBatch(publicKey, from, 1 + i * CHAT_BATCH),
  );
  const perTick = Math.max(1, Math.round((perSecond * TICK_MS) / 1000));
  report({ event: 'flood-started', perSecond });
  setInterval(() => {
    for (const link of links) {
      if (link.state !== 'open') continue;
      for (let i = 0; i < perTick; i++) {
        link.sendControl({ t: 'chat-batch', messages: pool[sent % POOL] ?? [] });
        sent++;
      }
    }
  }, TICK_MS);
  setInterval(() => report({ event: 'flood-sent', batches: sent }), 1000);
}

process.once('SIGUSR2', flood);
const code = await main(process.argv.slice(2));
if (code >= 0) process.exit(code);
