import type { FuzzTarget } from '../harness.js';
import { chatTarget } from './chat.js';
import { advertsTarget } from './discovery.js';
import { identityTarget, knownPeersTarget } from './files.js';
import { framingTarget } from './framing.js';
import { handshakeTarget } from './handshake.js';
import { chunksTarget, framePayloadTarget, reassemblerTarget } from './media.js';
import { controlTarget, signalingTarget } from './messages.js';
import { sealedTarget } from './sealing.js';
import { bridgeTarget, serverMessagesTarget, uiFramesTarget } from './ui.js';

/** Every parser that takes bytes from a peer, the network, the UI or a file. */
export const TARGETS: readonly FuzzTarget[] = [
  framingTarget,
  handshakeTarget,
  sealedTarget,
  signalingTarget,
  controlTarget,
  chatTarget,
  chunksTarget,
  reassemblerTarget,
  framePayloadTarget,
  bridgeTarget,
  serverMessagesTarget,
  uiFramesTarget,
  advertsTarget,
  knownPeersTarget,
  identityTarget,
];

export function targetNamed(name: string): FuzzTarget | undefined {
  return TARGETS.find((t) => t.name === name);
}
