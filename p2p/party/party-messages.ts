import type { ControlMessage, PieceMessage } from '../link/control-messages.js';

export type PartyMessage = Extract<
  ControlMessage,
  { t: 'party-manifest' | 'party-state' | 'party-buffering' | 'party-end' }
>;

const PARTY_MESSAGES = new Set(['party-manifest', 'party-state', 'party-buffering', 'party-end']);

export function isPartyMessage(message: ControlMessage): message is PartyMessage {
  return PARTY_MESSAGES.has(message.t);
}

/** The Swarm's piece exchange (piece-have / piece-request / piece-cancel). */
export function isPieceMessage(message: ControlMessage): message is PieceMessage {
  return message.t.startsWith('piece-');
}
