import type { DataChannel } from 'node-datachannel';
import type { SessionKeys } from '../../crypto/index.js';
import { decodeJson, encodeJson } from '../base/json-codec.js';
import type { Logger } from '../base/logger.js';
import type { ControlBudgetLimits } from './control-budget.js';
import { ControlBudget } from './control-budget.js';
import type { ControlMessage } from './control-messages.js';
import { controlMessageSchema } from './control-messages.js';
import type { PeerLinkStats } from './link-types.js';
import { toBytes } from './link-types.js';
import { ChannelSealing } from './sealed-channel.js';

export type KeyframeRequest = Extract<ControlMessage, { t: 'keyframe' }>;

/**
 * A link's control messages in both directions: sealed for the control channel (reliable,
 * ordered) or, for keyframe requests, the urgent one (unordered, never resent); what arrives
 * is admitted within the peer's budget, opened and checked against the schema. Everything
 * refused is counted in the link's stats and logged without its content.
 */
export class ControlIntake {
  readonly #control: ChannelSealing;
  readonly #urgent: ChannelSealing;
  readonly #budget: ControlBudget;
  readonly #stats: PeerLinkStats;
  readonly #peer: string;
  readonly #logger: Logger;

  constructor(options: {
    session: SessionKeys;
    linkNumber: number;
    peerId: string;
    logger: Logger;
    stats: PeerLinkStats;
    budget?: ControlBudgetLimits | undefined;
  }) {
    const { session, linkNumber } = options;
    this.#control = new ChannelSealing({ session, linkNumber, label: 'control' });
    this.#urgent = new ChannelSealing({ session, linkNumber, label: 'urgent' });
    this.#budget = new ControlBudget(options.peerId, options.logger, options.budget);
    this.#stats = options.stats;
    this.#peer = options.peerId;
    this.#logger = options.logger;
  }

  seal(message: ControlMessage): Uint8Array {
    this.#stats.controlSent++;
    return this.#control.seal(encodeJson(message));
  }

  sendUrgent(channel: DataChannel, message: KeyframeRequest): boolean {
    this.#stats.controlSent++;
    return this.#urgent.send(channel, encodeJson(message));
  }

  /** A control channel message, or null when it was refused. */
  fromControl(message: string | Buffer | ArrayBuffer): ControlMessage | null {
    return this.#take(this.#control, message);
  }

  /** An urgent channel message: only keyframe requests travel there. */
  fromUrgent(message: string | Buffer | ArrayBuffer): KeyframeRequest | null {
    const value = this.#take(this.#urgent, message);
    if (!value || value.t === 'keyframe') return value;
    this.#stats.rejected++;
    this.#logger.warn('urgent message refused', { peer: this.#peer, type: value.t });
    return null;
  }

  #take(sealing: ChannelSealing, message: string | Buffer | ArrayBuffer): ControlMessage | null {
    const packet = toBytes(message);
    if (!this.#budget.admit(packet.length)) {
      this.#stats.overBudget = this.#budget.dropped;
      return null;
    }
    const opened = sealing.open(packet);
    if (!opened.ok) {
      this.#stats.rejected++;
      this.#logger.warn('control message rejected', { peer: this.#peer, reason: opened.reason });
      return null;
    }
    const decoded = decodeJson(opened.plaintext, controlMessageSchema);
    if (!decoded.ok) {
      this.#stats.rejected++;
      this.#logger.warn('control message invalid', { peer: this.#peer, reason: decoded.error });
      return null;
    }
    this.#stats.controlReceived++;
    return decoded.value;
  }
}
