/**
 * The one store: folds what the node says (ServerMessage) and a few interface actions into
 * AppState. Pure: no DOM, no I/O, so test/ui can run it under Node.
 */
import type { MemberEventView, PeerView, SessionEvent } from '../../protocol/api.js';
import type { ServerMessage } from '../../protocol/ui-protocol.js';
import type { Text } from '../i18n/catalog.js';
import { msg } from '../i18n/catalog.js';
import type { Action } from './actions.js';
import { addChatMessage, addHistory, chatAfterCall, chatFor, emptyChat } from './chat.js';
import { errorSentence, errorTitle, reasonSentence } from './errors.js';
import { applyGesture, noGestures, reactionShown, withoutMember } from './gestures.js';
import { addToast } from './toasts.js';
import { NO_PARTY, reduceParty } from './party.js';
import type { AppState, CallState, TrustWarning } from './types.js';

export { MAX_TOASTS } from './toasts.js';

export function initialState(): AppState {
  return {
    connection: { state: 'connecting', attempt: 0 },
    self: null,
    peers: {},
    invites: [],
    outgoing: {},
    call: null,
    chat: emptyChat(false),
    closedChat: null,
    media: null,
    videoSources: null,
    filters: [],
    stats: { sending: null, members: {} },
    videoOff: {},
    voice: { source: null, muted: false, membersMuted: {} },
    gestures: noGestures(),
    toasts: [],
    nextToastId: 1,
    trustWarnings: [],
    party: NO_PARTY,
  };
}

export function reduce(state: AppState, action: Action): AppState {
  switch (action.type) {
    case 'server':
      try {
        return applyMessage(state, action.message, action.at);
      } catch {
        // A message of an unexpected shape changes nothing.
        return state;
      }
    case 'connection':
      return { ...state, connection: action.status };
    case 'toast':
      return addToast(state, action.kind, action.title, action.message);
    case 'dismiss-toast':
      return { ...state, toasts: state.toasts.filter((toast) => toast.id !== action.id) };
    case 'chat-visible':
      if (state.chat.visible === action.visible && (!action.visible || state.chat.unread === 0)) {
        return state;
      }
      return {
        ...state,
        chat: {
          ...state.chat,
          visible: action.visible,
          unread: action.visible ? 0 : state.chat.unread,
        },
      };
    case 'close-chat':
      // Only an ended call's chat can be closed; a live call's stays.
      if (state.call !== null) return state;
      return { ...state, chat: emptyChat(state.chat.visible), closedChat: state.chat.call };
    case 'invite-answered':
      return { ...state, invites: state.invites.filter((invite) => invite.call !== action.call) };
    case 'dismiss-trust-warning':
      return {
        ...state,
        trustWarnings: state.trustWarnings.filter((warning) => warning.peer !== action.peer),
      };
    case 'reaction-shown':
      return { ...state, gestures: reactionShown(state.gestures, action.id) };
  }
}

function applyMessage(state: AppState, message: ServerMessage, at?: number): AppState {
  if (message.type === 'hello') {
    // A (re)connection: the peers list is asked for again; the call is confirmed by `members`.
    return {
      ...state,
      self: { ...message.self },
      peers: {},
      stats: { sending: null, members: {} },
    };
  }
  return applyEvent(state, message.event, at);
}

/** Why a party ended, as the node says it (stopped, the streamer left...). */
function partyEndText(reason: string): Text {
  return reason === 'stopped' ? msg('party.ended.stopped') : msg('party.ended.other');
}

function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  if (!Object.hasOwn(record, key)) return record;
  const copy = { ...record };
  delete copy[key];
  return copy;
}

function peerName(state: AppState, peer: string): Text {
  return (
    state.peers[peer]?.name ??
    state.call?.members.find((member) => member.peer === peer)?.name ??
    msg('common.someone')
  );
}

function memberOf(event: MemberEventView): MemberEventView {
  const { peer, name, state, safetyCode, verified } = event;
  return { peer, name, state, safetyCode, verified };
}

function peerOf(event: PeerView): PeerView {
  const { peer, name, host, port, safetyCode, fingerprint, trust, source } = event;
  return { peer, name, host, port, safetyCode, fingerprint, trust, source };
}

function ensureCall(state: AppState, call: string): CallState {
  return state.call?.id === call ? state.call : { id: call, members: [] };
}

function upsertMember(call: CallState, member: MemberEventView): CallState {
  if (member.state === 'left') {
    return { ...call, members: call.members.filter((m) => m.peer !== member.peer) };
  }
  const index = call.members.findIndex((m) => m.peer === member.peer);
  const members =
    index === -1
      ? [...call.members, member]
      : call.members.map((m, i) => (i === index ? member : m));
  return { ...call, members };
}

function applyEvent(state: AppState, event: SessionEvent, at: number | undefined): AppState {
  switch (event.event) {
    case 'ready':
      return {
        ...state,
        self: { id: event.id, name: event.name, port: event.port, fingerprint: event.fingerprint },
      };
    case 'name-changed':
      return state.self ? { ...state, self: { ...state.self, name: event.name } } : state;
    case 'peer-up':
      if (event.peer === state.self?.id) return state;
      return { ...state, peers: { ...state.peers, [event.peer]: peerOf(event) } };
    case 'peer-down':
      return { ...state, peers: without(state.peers, event.peer) };
    case 'peers': {
      const peers: Record<string, PeerView> = {};
      for (const peer of event.peers) {
        if (peer.peer !== state.self?.id) peers[peer.peer] = peerOf(peer);
      }
      return { ...state, peers };
    }
    case 'invite': {
      const invite = {
        call: event.call,
        from: event.from,
        name: event.name,
        safetyCode: event.safetyCode,
        trust: event.trust,
        members: event.members ?? [],
      };
      const others = state.invites.filter((existing) => existing.call !== event.call);
      return { ...state, invites: [...others, invite] };
    }
    case 'invite-sent':
      return { ...state, outgoing: { ...state.outgoing, [event.peer]: event.call } };
    case 'invite-withdrawn':
      return { ...state, outgoing: without(state.outgoing, event.peer) };
    case 'invite-declined': {
      const reason =
        event.reason && event.reason !== 'declined' ? reasonSentence(event.reason) : '';
      const next = { ...state, outgoing: without(state.outgoing, event.peer) };
      const name = peerName(state, event.peer);
      const title =
        typeof name === 'string' ? msg('toast.declined', { name }) : msg('toast.declined.someone');
      return addToast(next, 'info', title, reason);
    }
    case 'invite-cancelled': {
      const invite = state.invites.find((existing) => existing.call === event.call);
      if (!invite) return state;
      const next = {
        ...state,
        invites: state.invites.filter((existing) => existing.call !== event.call),
      };
      return addToast(
        next,
        'info',
        msg('toast.withdrawn'),
        msg('toast.withdrawn.message', { name: invite.name }),
      );
    }
    case 'call-joined': {
      const members = event.members.filter((m) => m.state !== 'left').map(memberOf);
      const sameCall = state.call?.id === event.call;
      return {
        ...state,
        call: { id: event.call, members },
        invites: state.invites.filter((invite) => invite.call !== event.call),
        chat: chatFor(state, event.call, at),
        stats: sameCall ? state.stats : { sending: null, members: {} },
        videoOff: sameCall ? state.videoOff : {},
        voice: sameCall ? state.voice : { ...state.voice, membersMuted: {} },
        gestures: sameCall ? state.gestures : noGestures(),
      };
    }
    case 'member-joined':
    case 'member-state': {
      const call = upsertMember(ensureCall(state, event.call), memberOf(event));
      return {
        ...state,
        call,
        chat: chatFor(state, event.call, at),
        outgoing: without(state.outgoing, event.peer),
      };
    }
    case 'members': {
      if (event.call === null) {
        if (state.call === null) return state;
        return { ...state, call: null, chat: chatAfterCall(state.chat), outgoing: {} };
      }
      const members = event.members.filter((m) => m.state !== 'left').map(memberOf);
      return { ...state, call: { id: event.call, members }, chat: chatFor(state, event.call, at) };
    }
    case 'history':
      return addHistory(state, event.call, event.messages, at);
    case 'chat-exported': {
      return addToast(
        state,
        'success',
        msg('toast.exported'),
        msg('toast.exported.path', { count: event.messages, path: event.path }),
      );
    }

    case 'member-left': {
      if (!state.call || state.call.id !== event.call) return state;
      const next: AppState = {
        ...state,
        call: { ...state.call, members: state.call.members.filter((m) => m.peer !== event.peer) },
        stats: { ...state.stats, members: without(state.stats.members, event.peer) },
        videoOff: without(state.videoOff, event.peer),
        voice: { ...state.voice, membersMuted: without(state.voice.membersMuted, event.peer) },
        gestures: withoutMember(state.gestures, event.peer),
      };
      const reason = event.reason === 'left' ? '' : reasonSentence(event.reason);
      return addToast(next, 'info', msg('toast.memberLeft', { name: event.name }), reason);
    }
    case 'call-ended': {
      if (state.call && state.call.id !== event.call) return state;
      const next: AppState = {
        ...state,
        call: null,
        chat: chatAfterCall(state.chat),
        outgoing: {},
        stats: { sending: null, members: {} },
        videoOff: {},
        voice: { ...state.voice, membersMuted: {} },
        party: NO_PARTY,
        gestures: noGestures(),
      };
      // Our own leaving needs no news, and an unanswered invite already said why.
      if (['left', 'quit', 'merged', 'declined', 'no answer'].includes(event.reason)) {
        return next;
      }
      return addToast(next, 'info', msg('toast.callEnded'), reasonSentence(event.reason));
    }
    case 'chat': {
      const { id, from, name, ts, clock, text } = event;
      return addChatMessage(state, event.call, { id, from, name, ts, clock, text }, at);
    }
    case 'key-changed': {
      const warning: TrustWarning = { peer: event.peer, name: event.name, message: event.message };
      const known = state.peers[event.peer];
      const next: AppState = {
        ...state,
        peers: known
          ? { ...state.peers, [event.peer]: { ...known, trust: 'key-changed' } }
          : state.peers,
        trustWarnings: [
          ...state.trustWarnings.filter((existing) => existing.peer !== event.peer),
          warning,
        ],
      };
      return addToast(
        next,
        'warning',
        msg('toast.keyChanged', { name: event.name }),
        msg('prof.keyChanged.detail'),
      );
    }
    case 'trust-changed': {
      const known = state.peers[event.peer];
      const verified = event.trust === 'verified';
      return {
        ...state,
        peers: known
          ? { ...state.peers, [event.peer]: { ...known, trust: event.trust } }
          : state.peers,
        trustWarnings:
          event.trust === 'key-changed'
            ? state.trustWarnings
            : state.trustWarnings.filter((warning) => warning.peer !== event.peer),
        call: state.call && {
          ...state.call,
          members: state.call.members.map((m) => (m.peer === event.peer ? { ...m, verified } : m)),
        },
        invites: state.invites.map((invite) =>
          invite.from === event.peer ? { ...invite, trust: event.trust } : invite,
        ),
      };
    }
    case 'media-settings': {
      const { source, width, height, fps, filters, enabled, sourceState } = event;
      const media = { source, width, height, fps, filters: [...filters], enabled };
      return { ...state, media: sourceState ? { ...media, sourceState } : media };
    }
    case 'video-sources':
      return { ...state, videoSources: event.sources };
    case 'filters':
      return {
        ...state,
        filters: event.filters.map(({ name, label, description }) => ({
          name,
          label,
          description,
        })),
      };
    case 'mute-state':
      if (event.peer === state.self?.id) {
        return { ...state, voice: { ...state.voice, muted: event.muted } };
      }
      return {
        ...state,
        voice: {
          ...state.voice,
          membersMuted: { ...state.voice.membersMuted, [event.peer]: event.muted },
        },
      };
    case 'audio-settings':
      return { ...state, voice: { ...state.voice, source: event.source, muted: event.muted } };
    case 'hand':
    case 'reaction':
      return { ...state, gestures: applyGesture(state.gestures, event) };
    case 'video-state':
      return { ...state, videoOff: { ...state.videoOff, [event.peer]: !event.enabled } };
    case 'stats': {
      if (state.call && state.call.id !== event.call) return state;
      const members: AppState['stats']['members'] = {};
      for (const member of event.members) members[member.peer] = member;
      return { ...state, stats: { sending: event.sending, members } };
    }
    case 'error': {
      let next = state;
      if (event.code === 'ERR_INVITE_TIMEOUT' && event.peer) {
        next = { ...next, outgoing: without(next.outgoing, event.peer) };
      }
      if (event.code === 'ERR_NO_SUCH_INVITE' && event.call) {
        next = { ...next, invites: next.invites.filter((invite) => invite.call !== event.call) };
      }
      return addToast(next, 'error', errorTitle(event.code), errorSentence(event.code));
    }
    case 'party-ended': {
      const next = { ...state, party: reduceParty(state.party, event) };
      if (next.party === state.party || event.reason === 'taken-over') return next;
      return addToast(next, 'info', msg('party.ended'), partyEndText(event.reason));
    }
    case 'party-preparing':
    case 'party-state':
    case 'party-progress':
    case 'party-complete':
      return { ...state, party: reduceParty(state.party, event) };
    // chat-export-text reaches every tab; only the one that asked saves it (App.tsx).
    case 'frame':
    case 'snapshot':
    case 'chat-export-text':
    case 'audio-recorded':
    case 'voice-packet':
    case 'health':
      return state;
  }
}
