import { initLogger } from 'node-datachannel';
import { setPrimitives } from '../crypto/index.js';
import type { Logger } from '../p2p/base/logger.js';
import { nativePrimitives } from '../p2p/base/native-primitives.js';
import type { NodeArgs } from './cli-args.js';
import { loadStoredName, startName } from './profile-store.js';
import { Session } from './session.js';

/**
 * Creates the node's session from its command-line options, for every front end (headless,
 * browser bridge, Electron). With MESHCALL_RTC_LOG=Debug|Info|Warning, libdatachannel's own
 * log goes to ours, for diagnosing link set-up.
 */
export async function openSession(
  args: NodeArgs,
  logger: Logger,
  extra: { frameEvents?: boolean } = {},
): Promise<Session> {
  // Native Ed25519/X25519: verifying forged signatures must not stall the event loop.
  setPrimitives(nativePrimitives);
  const rtcLevel = process.env.MESHCALL_RTC_LOG;
  if (rtcLevel === 'Debug' || rtcLevel === 'Info' || rtcLevel === 'Warning') {
    initLogger(rtcLevel, (level, message) => logger.info('rtc', { level, message }));
  }
  const stored = args.nameGiven === false ? await loadStoredName(args.dataDir, logger) : null;
  return Session.create({
    name: startName(args, stored),
    dataDir: args.dataDir,
    port: args.port,
    autoAccept: args.autoAccept,
    logger,
    media: {
      source: args.source,
      settings: args.settings,
      filters: args.filters,
      codec: args.codec,
    },
    audioSource: args.audioSource,
    ...extra,
  });
}
