/**
 * What a user interface receives from the session, in ui-protocol form, for any number of
 * sinks (browser clients, the Electron window). Each frame is encoded once, whoever
 * receives it.
 */
import { errorText } from '../../p2p/base/errors.js';
import type { Logger } from '../../p2p/base/logger.js';
import type { ReceivedFrame } from '../../p2p/media/receiver.js';
import type { SessionEvent } from '../../protocol/api.js';
import type { EncodedFrame } from '../media/video-capture.js';
import type { ReceivedVoice } from '../call-adapter.js';
import { jpegFrameOf } from '../local-media.js';
import type { Session } from '../session.js';
import { encodeVoicePacket } from '../../protocol/audio/voice-packet.js';
import { encodeUiVoice } from '../../protocol/ui-frames.js';
import type { SelfInfo, ServerMessage } from '../../protocol/ui-protocol.js';
import { encodeUiFrame } from './frame-codec.js';

/** The part of a Session the shells use. */
export type UiSession = Pick<Session, 'id' | 'mediaSettings' | 'on' | 'off' | 'handle' | 'audio'>;

export interface UiSink {
  message(message: ServerMessage): void;
  /**
   * One video frame in the ui-protocol layout. `stream` names who it shows (`local`, or
   * `remote:<peer id>`), so a sink can keep at most one frame per stream in flight.
   */
  frame(stream: string, bytes: Uint8Array): void;
  /** One member's voice packet (kind 3): small, 50 a second per member, never held back. */
  voice(bytes: Uint8Array): void;
}

/** The first messages of every new interface: who we are, and how camera and voice are set. */
export function greeting(session: UiSession, self: SelfInfo): ServerMessage[] {
  return [
    { type: 'hello', self },
    // media-settings is only sent when something changes; a page that connects later (or
    // reloads) would otherwise not know the source, size and filters until then.
    // Likewise our voice's source and mute: a reloaded page must show the right mute button.
    { type: 'event', event: { event: 'audio-settings', ...session.audio.settings } },
    { type: 'event', event: { event: 'media-settings', ...session.mediaSettings } },
  ];
}

/** Forwards the session's events and frames to `sink` until the returned function is called. */
export function feedSession(session: UiSession, sink: UiSink, logger: Logger): () => void {
  const frame = (stream: string, encode: () => Uint8Array): void => {
    let bytes: Uint8Array;
    try {
      bytes = encode();
    } catch (err) {
      logger.warn('ui: frame dropped', { stream, reason: errorText(err) });
      return;
    }
    sink.frame(stream, bytes);
  };
  const onEvent = (event: SessionEvent): void => sink.message({ type: 'event', event });
  const onRemote = ({ from, meta, jpeg }: ReceivedFrame): void =>
    frame(`remote:${from}`, () =>
      encodeUiFrame({
        kind: 'remote',
        peer: from,
        frame: meta.frameNumber,
        width: meta.width,
        height: meta.height,
        jpeg,
      }),
    );
  const onLocal = (encoded: EncodedFrame): void => {
    const local = jpegFrameOf(encoded);
    if (!local) return;
    frame('local', () =>
      encodeUiFrame({
        kind: 'local',
        peer: session.id,
        frame: local.frameNumber,
        width: local.width,
        height: local.height,
        jpeg: local.jpeg,
      }),
    );
  };
  const onVoice = ({ from, header, opus }: ReceivedVoice): void => {
    let bytes: Uint8Array;
    try {
      bytes = encodeUiVoice({ peer: from, packet: encodeVoicePacket(header, opus) });
    } catch (err) {
      logger.debug('ui: voice packet dropped', { peer: from, reason: errorText(err) });
      return;
    }
    sink.voice(bytes);
  };
  session.on('event', onEvent);
  session.on('remote-frame', onRemote);
  session.on('local-frame', onLocal);
  session.on('remote-voice', onVoice);
  return () => {
    session.off('event', onEvent);
    session.off('remote-frame', onRemote);
    session.off('local-frame', onLocal);
    session.off('remote-voice', onVoice);
  };
}
