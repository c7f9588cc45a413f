/**
 * The node's side of the video-frame codec (protocol/ui-frames.ts), shared by the browser
 * bridge (WebSocket binary messages) and the Electron shell (IPC): the same bytes, with a
 * frame that does not fit the layout reported as BridgeError ERR_BRIDGE_FRAME.
 */
import {
  encodeUiEncoded as encodeEncodedLayout,
  encodeUiFrame as encodeLayout,
  uiEncodedProblem,
  uiFrameProblem,
} from '../../protocol/ui-frames.js';
import type { UiEncodedFrame, UiVideoFrame } from '../../protocol/ui-protocol.js';
import { BridgeError } from './errors.js';

export function encodeUiFrame(frame: UiVideoFrame): Uint8Array {
  const problem = uiFrameProblem(frame);
  if (problem !== null) throw new BridgeError('ERR_BRIDGE_FRAME', problem);
  return encodeLayout(frame);
}

/** Kinds 5 and 6 (H.264, or a JPEG with a codec byte). */
export function encodeUiEncoded(frame: UiEncodedFrame): Uint8Array {
  const problem = uiEncodedProblem(frame);
  if (problem !== null) throw new BridgeError('ERR_BRIDGE_FRAME', problem);
  return encodeEncodedLayout(frame);
}
