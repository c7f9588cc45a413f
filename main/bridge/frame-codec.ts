/**
 * The node's side of the video-frame codec (protocol/ui-frames.ts), shared by the browser
 * bridge (WebSocket binary messages) and the Electron shell (IPC): the same bytes, with a
 * frame that does not fit the layout reported as BridgeError ERR_BRIDGE_FRAME.
 */
import { encodeUiFrame as encodeLayout, uiFrameProblem } from '../../protocol/ui-frames.js';
import type { UiVideoFrame } from '../../protocol/ui-protocol.js';
import { BridgeError } from './errors.js';

export function encodeUiFrame(frame: UiVideoFrame): Uint8Array {
  const problem = uiFrameProblem(frame);
  if (problem !== null) throw new BridgeError('ERR_BRIDGE_FRAME', problem);
  return encodeLayout(frame);
}
