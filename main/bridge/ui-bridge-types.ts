/** What the browser bridge (ui-bridge.ts) is given, and the counters it keeps. */
import type { Logger } from '../../p2p/base/logger.js';
import type { SelfInfo } from '../../protocol/ui-protocol.js';
import type { UiSession } from './ui-feed.js';

export interface UiBridgeOptions {
  session: UiSession;
  selfInfo: SelfInfo;
  /** Loopback only: anything the LAN could reach would put the node in a stranger's hands. */
  host: '127.0.0.1';
  /** 0 picks a free port. */
  port: number;
  /** The built renderer (dist/renderer). */
  staticDir: string;
  logger?: Logger;
  /** Open WebSockets at once; default 4 (a few tabs, never a crowd). */
  maxClients?: number;
}

export interface UiBridgeStats {
  clients: number;
  /** WebSocket upgrades refused (no session cookie, foreign origin or host, too many). */
  refusedUpgrades: number;
  /** Loads of the page refused (no cookie and no token, a wrong or an already used token). */
  refusedPages: number;
  /** Client messages answered with ERR_BAD_COMMAND. */
  badMessages: number;
  /** Video frames not sent to a client that had not taken the previous one yet. */
  droppedFrames: number;
  /** Microphone frames from a page that were not valid voice packets (ignored). */
  badVoice: number;
  /** Members' voice packets not sent to a client that stopped reading. */
  droppedVoice: number;
}
