/**
 * The chat part of the store: which call the messages belong to, what is unread, and the
 * chat of a call that ended, kept until the user closes it or the next call starts.
 */
import type { ChatEntryView } from '../../protocol/api.js';
import { mergeMessages } from '../../protocol/chat-order.js';
import type { AppState, ChatState } from './types.js';

export const MAX_CHAT_MESSAGES = 5000;

/**
 * How much older than the moment we joined a message may be and still count as unread: the
 * author's clock is not ours, and a message written as we joined is news all the same.
 */
export const UNREAD_CLOCK_SLACK_MS = 2000;

/** The chat of `call`: the one we hold, or an empty one (a new call replaces a kept chat). */
export function chatFor(state: AppState, call: string, at: number | undefined): ChatState {
  return state.chat.call === call
    ? state.chat
    : { call, messages: [], unread: 0, visible: state.chat.visible, since: at ?? null };
}

export function emptyChat(visible: boolean): ChatState {
  return { call: null, messages: [], unread: 0, visible, since: null };
}

/** A message from the node; returns the state itself when it is one we hold already. */
export function addChatMessage(
  state: AppState,
  call: string,
  message: ChatEntryView,
  at: number | undefined,
): AppState {
  const chat = chatFor(state, call, at);
  const { messages, added } = mergeMessages(chat.messages, [message]);
  if (added.length === 0) return state;
  // History a member sends us as we join (or after a reconnection) was written before we
  // were here: it shows, but is not news.
  const earlier = chat.since !== null && message.ts < chat.since - UNREAD_CLOCK_SLACK_MS;
  const fromOthers = message.from !== state.self?.id;
  const unread = chat.unread + (fromOthers && !chat.visible && !earlier ? 1 : 0);
  return { ...state, chat: { ...chat, messages: messages.slice(-MAX_CHAT_MESSAGES), unread } };
}

/** The `history` answer: messages we may have missed; none of them counts as unread. */
export function addHistory(
  state: AppState,
  call: string,
  history: readonly ChatEntryView[],
  at: number | undefined,
): AppState {
  // An ended call's chat (asked for after a reload): shown unless empty or already closed.
  const ended = state.call?.id !== call && state.chat.call !== call;
  if (ended && (history.length === 0 || state.closedChat === call)) return state;
  const chat = chatFor(state, call, at);
  const { messages } = mergeMessages(chat.messages, history);
  return { ...state, chat: { ...chat, messages: messages.slice(-MAX_CHAT_MESSAGES) } };
}

/** The call ended: its chat stays (read-only) if it has anything to read. */
export function chatAfterCall(chat: ChatState): ChatState {
  return chat.messages.length > 0 ? chat : emptyChat(chat.visible);
}

/** The chat of an ended call, still on screen; null in a call or when there is none. */
export function keptChat(state: Pick<AppState, 'call' | 'chat'>): ChatState | null {
  return state.call === null && state.chat.call !== null ? state.chat : null;
}
