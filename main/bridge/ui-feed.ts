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
import type { Session } from '../session.js';
import { encodeVoicePacket } from '../../protocol/audio/voice-packet.js';
import { encodeUiVoice } from '../../protocol/ui-frames.js';
import type { SelfInfo, ServerMessage, UiEncodedFrame } from '../../protocol/ui-protocol.js';
import { encodeUiEncoded, encodeUiFrame } from './frame-codec.js';
import type { EncodedLayerFrame } from '../media/capture-protocol.js';

/** The part of a Session the shells use. */
export type UiSession = Pick<
  Session,
  'id' | 'name' | 'mediaSettings' | 'on' | 'off' | 'handle' | 'audio'
> & {
  /** The watch party's film for the page's player (the bridge's range endpoint). */
  readonly party: Pick<Session['party'], 'media'>;
};

export interface UiSink {
  message(message: ServerMessage): void;
  /**
   * One video frame in the ui-protocol layout. `stream` names who it shows (`local`, or
   * `remote:<peer id>`), so a sink can keep at most one frame per stream in flight.
   * `delta`: an H.264 frame that decodes only after the one before it. Returns false when
   * a receiver now waits for a keyframe of this stream (it had to skip a frame and so
   * holds back the rest of the chain): the feed then asks for one.
   */
  frame(stream: string, bytes: Uint8Array, delta: boolean): boolean;
  /** One member's voice packet (kind 3): small, 50 a second per member, never held back. */
  voice(bytes: Uint8Array): void;
}

/** The first messages of every new interface: who we are, and how camera and voice are set. */
export function greeting(session: UiSession, self: SelfInfo): ServerMessage[] {
  return [
    // The name of now: it may have changed since the node started (set-name).
    { type: 'hello', self: { ...self, name: session.name } },
    // media-settings is only sent when something changes; a page that connects later (or
    // reloads) would otherwise not know the source, size and filters until then.
    // Likewise our voice's source and mute: a reloaded page must show the right mute button.
    { type: 'event', event: { event: 'audio-settings', ...session.audio.settings } },
    { type: 'event', event: { event: 'media-settings', ...session.mediaSettings } },
  ];
}

/** Forwards the session's events and frames to `sink` until the returned function is called. */
export function feedSession(session: UiSession, sink: UiSink, logger: Logger): () => void {
  const keyframes = new KeyframeAsker(session, logger);
  const frame = (stream: string, peer: string, video: UiEncodedFrame): void => {
    let bytes: Uint8Array;
    try {
      // JPEGs keep kinds 1 and 2 (what pages before H.264 read); everything else 5 and 6.
      bytes =
        video.codec === 'jpeg'
          ? encodeUiFrame({ ...video, jpeg: video.data })
          : encodeUiEncoded(video);
    } catch (err) {
      logger.warn('ui: frame dropped', { stream, reason: errorText(err) });
      return;
    }
    const delta = video.codec === 'h264' && !video.keyframe;
    const flowing = sink.frame(stream, bytes, delta);
    if (!flowing && video.codec === 'h264') keyframes.ask(stream, peer);
  };
  const onEvent = (event: SessionEvent): void => sink.message({ type: 'event', event });
  const onRemote = (received: ReceivedFrame): void => {
    const { from, meta } = received;
    const { width, height } = meta;
    const { codec, keyframe } = meta;
    const video = { kind: 'remote' as const, peer: from, frame: meta.frameNumber, width, height };
    frame(`remote:${from}`, from, { ...video, codec, keyframe, data: received.data });
  };
  const onLocal = (encoded: EncodedFrame): void => {
    const top = previewLayer(encoded.layers);
    if (!top) return;
    const { width, height, codec, keyframe, data } = top;
    const video = { kind: 'local' as const, peer: session.id, frame: encoded.frameNumber };
    frame('local', session.id, { ...video, width, height, codec, keyframe, data });
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

/**
 * The self view shows the best H.264 layer, which decodes in the page; the JPEG layer only
 * without H.264 (`--codec jpeg`), since it exists for members that cannot decode H.264.
 */
export function previewLayer(layers: readonly EncodedLayerFrame[]): EncodedLayerFrame | null {
  let best: EncodedLayerFrame | null = null;
  for (const layer of layers) {
    if (best === null || rank(layer) < rank(best)) best = layer;
  }
  return best;
}

function rank(layer: EncodedLayerFrame): number {
  return (layer.codec === 'h264' ? 0 : 0x10000) + layer.layer;
}

/** How often a stream that waits for a keyframe asks again. */
const KEYFRAME_REPEAT_MS = 250;

/**
 * Asks for the keyframe a sink waits for: the member who sends the stream, or our own
 * encoder for the self view (the `keyframe` command with our own id). At most once per
 * KEYFRAME_REPEAT_MS per stream: frames keep arriving, and each would ask again.
 */
class KeyframeAsker {
  readonly #session: UiSession;
  readonly #logger: Logger;
  readonly #asked = new Map<string, number>();

  constructor(session: UiSession, logger: Logger) {
    this.#session = session;
    this.#logger = logger;
  }

  ask(stream: string, peer: string, now = Date.now()): void {
    const last = this.#asked.get(stream);
    if (last !== undefined && now - last < KEYFRAME_REPEAT_MS) return;
    this.#asked.set(stream, now);
    this.#logger.debug('ui: asking for a keyframe', { stream });
    this.#session.handle({ cmd: 'keyframe', peer });
  }
}
