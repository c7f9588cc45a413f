import type {
  ClientMessage,
  ServerMessage,
  UiVideo,
  UiVoiceFrame,
} from '../../protocol/ui-protocol.js';
import { decodeUiVideo, decodeUiVoice, encodeUiMic } from '../../protocol/ui-frames.js';
import type { ConnectionStatus, Transport } from './transport.js';
import { HeldMessages, Listeners, validServerMessage } from './transport.js';

/** What the Electron preload exposes as `window.meshcall` (contextBridge). */
export interface MeshcallBridge {
  send(message: ClientMessage): void;
  onMessage(listener: (message: ServerMessage) => void): () => void;
  onFrame(listener: (bytes: Uint8Array) => void): () => void;
  onVoice(listener: (bytes: Uint8Array) => void): () => void;
  sendMic(bytes: Uint8Array): void;
}

export function isMeshcallBridge(value: unknown): value is MeshcallBridge {
  if (typeof value !== 'object' || value === null) return false;
  const bridge = value as Record<string, unknown>;
  return (
    typeof bridge.send === 'function' &&
    typeof bridge.onMessage === 'function' &&
    typeof bridge.onFrame === 'function' &&
    typeof bridge.onVoice === 'function' &&
    typeof bridge.sendMic === 'function'
  );
}

/**
 * Wraps the preload bridge; IPC inside one app never drops, so it is always open. The main
 * process greets the page (hello) once it subscribes.
 */
/** Typed arrays cross the context bridge as copies; accept any view or a bare buffer. */
function bytesOf(value: unknown): Uint8Array | null {
  if (ArrayBuffer.isView(value))
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return value instanceof ArrayBuffer ? new Uint8Array(value) : null;
}

export function createElectronTransport(bridge: MeshcallBridge): Transport {
  const messages = new HeldMessages<ServerMessage>();
  const frames = new Listeners<UiVideo>();
  const statuses = new Listeners<ConnectionStatus>();
  const status: ConnectionStatus = { state: 'open' };
  const offMessage = bridge.onMessage((raw) => {
    const message = validServerMessage(raw);
    if (message) messages.emit(message);
  });
  const voices = new Listeners<UiVoiceFrame>();
  const offFrame = bridge.onFrame((bytes: unknown) => {
    const view = bytesOf(bytes);
    const frame = view ? decodeUiVideo(view) : null;
    if (frame) frames.emit(frame);
  });
  const offVoice = bridge.onVoice((bytes: unknown) => {
    const view = bytesOf(bytes);
    const voice = view ? decodeUiVoice(view) : null;
    if (voice) voices.emit(voice);
  });
  return {
    kind: 'electron',
    status,
    send(message: ClientMessage): boolean {
      try {
        bridge.send(message);
        return true;
      } catch {
        return false;
      }
    },
    onMessage: (listener) => messages.add(listener),
    onFrame: (listener) => frames.add(listener),
    onVoice: (listener) => voices.add(listener),
    sendMic(packet: Uint8Array): boolean {
      try {
        bridge.sendMic(encodeUiMic(packet));
        return true;
      } catch {
        return false;
      }
    },
    onStatus: (listener) => statuses.add(listener),
    retryNow(): void {
      // Nothing to reconnect.
    },
    close(): void {
      offMessage();
      offFrame();
      offVoice();
      messages.clear();
      frames.clear();
      voices.clear();
      statuses.clear();
    },
  };
}
