import type {
  ApiErrorCode,
  ChatEntryView,
  MediaSettingsView,
  MemberEventView,
  MemberStatsView,
  PeerView,
  SendingStatsView,
  TrustState,
} from '../../protocol/api.js';
import type { VideoSourceView } from '../../protocol/camera-api.js';
import type { ReactionEmoji } from '../../protocol/gesture-api.js';
import type { SelfInfo } from '../../protocol/ui-protocol.js';
import type { Text } from '../i18n/catalog.js';

import type { ConnectionStatus } from '../transport/transport.js';
import type { PartyView } from './party.js';

export interface IncomingInvite {
  call: string;
  from: string;
  name: string;
  safetyCode: string;
  trust: TrustState;
  /** Who else is in that call, as the inviter says (names only). */
  members: string[];
}

export interface CallState {
  id: string;
  /** Everyone but us, in the order they joined. */
  members: MemberEventView[];
}

export type ChatMessage = ChatEntryView;

export interface ChatState {
  /** The call these messages belong to. */
  call: string | null;
  /** In the order every member shows them: (clock, author, id). */
  messages: ChatMessage[];
  unread: number;
  /** Whether the chat panel is on screen (then nothing counts as unread). */
  visible: boolean;
  /** When (page time) we joined the call: what was written before is not unread. */
  since: number | null;
}

export interface FilterInfo {
  name: string;
  label: string;
  description: string;
}

export type ToastKind = 'error' | 'warning' | 'info' | 'success';

export interface Toast {
  id: number;
  kind: ToastKind;
  /** Kept as messages, not text, so that a toast shows in the language of the moment. */
  title: Text;
  message: Text;
  code?: ApiErrorCode | undefined;
}

export interface TrustWarning {
  peer: string;
  name: string;
  message: string;
}

export interface StatsState {
  sending: SendingStatsView | null;
  /** Per member id. */
  members: Record<string, MemberStatsView>;
}

/** Voice as the node reports it (the page's own microphone and playout live in audio/). */
export interface VoiceState {
  /** Where our voice comes from (`ui`: this page's microphone), once the node said so. */
  source: string | null;
  /** We are muted: the node sends no voice. */
  muted: boolean;
  /** Members (by id) who muted themselves. */
  membersMuted: Record<string, boolean>;
}

/** A reaction floating over its sender's tile until the tile has shown it. */
export interface FloatingReaction {
  id: number;
  peer: string;
  emoji: ReactionEmoji;
}

/** Raised hands and reactions in the call (our own included, under our id). */
export interface GestureState {
  /** Who has a hand up, in the order they raised it. */
  hands: string[];
  reactions: FloatingReaction[];
  nextReaction: number;
}

export interface AppState {
  connection: ConnectionStatus;
  self: SelfInfo | null;
  /** Nearby peers, by id. */
  peers: Record<string, PeerView>;
  /** Invites waiting for an answer, oldest first. */
  invites: IncomingInvite[];
  /** Invites we sent that are not answered yet: peer id → call id. */
  outgoing: Record<string, string>;
  call: CallState | null;
  chat: ChatState;
  /** The ended call whose chat the user closed: it stays closed after a reload. */
  closedChat: string | null;
  media: MediaSettingsView | null;
  /** The video sources this computer offers (`video-sources`), once asked. */
  videoSources: VideoSourceView[] | null;
  filters: FilterInfo[];
  stats: StatsState;
  /** Members (by id) who switched their video off. */
  videoOff: Record<string, boolean>;
  voice: VoiceState;
  gestures: GestureState;
  toasts: Toast[];
  nextToastId: number;
  trustWarnings: TrustWarning[];
  party: PartyView;
}
