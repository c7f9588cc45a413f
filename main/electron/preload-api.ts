/**
 * What the Electron preload exposes to the renderer as `window.meshcall`. In a browser
 * (the browser bridge) there is no `window.meshcall`; the renderer uses the WebSocket.
 * The renderer imports this type only.
 */
import type { ClientMessage, ServerMessage } from '../../protocol/ui-protocol.js';
import type { SaveChatRequest, SaveChatResult } from '../save-chat.js';

export interface MeshcallPreloadApi {
  /** Validated by the main process; an invalid message comes back as an ERR_BAD_COMMAND error. */
  send(message: ClientMessage): void;
  /** Every ServerMessage (hello first); returns a function that unsubscribes. */
  onMessage(listener: (message: ServerMessage) => void): () => void;
  /** Video frames in the binary layout of protocol/ui-frames.ts; returns an unsubscribe. */
  onFrame(listener: (bytes: Uint8Array) => void): () => void;
  /** Members' voice packets (ui-frames.ts kind 3); returns an unsubscribe. */
  onVoice(listener: (bytes: Uint8Array) => void): () => void;
  /** One microphone frame (ui-frames.ts kind 4); the main process validates it. */
  sendMic(bytes: Uint8Array): void;
  /** The system's file dialog for a video file: its path, or null when cancelled. */
  pickVideoFile(labels: { videos: string; all: string }): Promise<string | null>;
  /** A chat export, saved through the system's save dialog (the main process names the file). */
  saveChat(request: SaveChatRequest): Promise<SaveChatResult>;
}
