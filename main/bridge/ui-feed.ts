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
import type { Session } from '../session.js';
import type { SelfInfo, ServerMessage } from '../../protocol/ui-protocol.js';
import { encodeUiFrame } from './frame-codec.js';

/** The part of a Session the shells use. */
export type UiSession = Pick<Session, 'id' | 'mediaSettings' | 'on' | 'off' | 'handle'>;

export interface UiSink {
  message(message: ServerMessage): void;
  /**
   * One video frame in the ui-protocol layout. `stream` names who it shows (`local`, or
   * `remote:<peer id>`), so a sink can keep at most one frame per stream in flight.
   */
  frame(stream: string, bytes: Uint8Array): void;
}

/** The first messages of every new interface: who we are and what the camera is set to. */
export function greeting(session: UiSession, self: SelfInfo): ServerMessage[] {
  return [
    { type: 'hello', self },
    // media-settings is only sent when something changes; a page that connects later (or
    // reloads) would otherwise not know the source, size and filters until then.
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
  const onRemote = ({ from, meta, data: jpeg }: ReceivedFrame): void =>
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
  const onLocal = (local: EncodedFrame): void =>
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
  session.on('event', onEvent);
  session.on('remote-frame', onRemote);
  session.on('local-frame', onLocal);
  return () => {
    session.off('event', onEvent);
    session.off('remote-frame', onRemote);
    session.off('local-frame', onLocal);
  };
}
