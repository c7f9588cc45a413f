/**
 * What the session does beside its parts (kept out of session.ts, which has no room): our
 * rename, and the metadata-only `frame` event.
 */
import { errorText } from '../p2p/base/errors.js';
import type { Logger } from '../p2p/base/logger.js';
import type { ReceivedFrame } from '../p2p/media/receiver.js';
import type { SessionEvent } from '../protocol/api.js';
import { saveName } from './profile-store.js';

/** The parts that carry our name: hellos, calls, the mDNS advert. */
export interface NamedParts {
  server: { setName(name: string): void };
  calls: { rename(name: string): void };
  discovery: { rename(name: string): Promise<void> } | null;
  dataDir: string;
  logger: Logger;
}

/**
 * Renames the node: new hellos, the call's members (a `name` control message) and the mDNS
 * advert carry the new name, and it is saved for the next start. A save that fails is
 * logged; the name still holds for this run.
 */
export async function renameNode(parts: NamedParts, name: string): Promise<void> {
  parts.server.setName(name);
  parts.calls.rename(name);
  try {
    await saveName(parts.dataDir, name);
  } catch (err) {
    parts.logger.warn('could not save the new name', { reason: errorText(err) });
  }
  await parts.discovery?.rename(name);
}

/** A received frame as a `frame` API event (--frame-events): its metadata, no bytes. */
export function frameEvent(frame: ReceivedFrame): SessionEvent {
  return {
    event: 'frame',
    peer: frame.from,
    stream: frame.meta.stream,
    frame: frame.meta.frameNumber,
    codec: frame.meta.codec,
    keyframe: frame.meta.keyframe,
    width: frame.meta.width,
    height: frame.meta.height,
    bytes: frame.data.length,
    latencyMs: frame.latencyMs,
    receivedAt: frame.receivedAt,
  };
}
