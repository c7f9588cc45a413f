import type { ServerMessage } from '../../protocol/ui-protocol.js';
import type { ConnectionStatus } from '../transport/transport.js';
import type { Msg } from '../i18n/catalog.js';
import type { ToastKind } from './types.js';

export type Action =
  /** `at`: when the page received it (Date.now()), for what counts as unread. */
  | { type: 'server'; message: ServerMessage; at?: number }
  | { type: 'connection'; status: ConnectionStatus }
  | { type: 'toast'; kind: ToastKind; title: Msg; message: Msg }
  | { type: 'dismiss-toast'; id: number }
  | { type: 'chat-visible'; visible: boolean }
  /** The user closed the chat of a call that ended. */
  | { type: 'close-chat' }
  /** We answered an invite (accepted or declined): it leaves the queue. */
  | { type: 'invite-answered'; call: string }
  | { type: 'dismiss-trust-warning'; peer: string }
  /** A reaction has floated over its tile long enough: it goes. */
  | { type: 'reaction-shown'; id: number };
