import type { ClientMessage, ServerMessage, UiVideoFrame } from '../../protocol/ui-protocol.js';
import { decodeUiFrame } from '../../protocol/ui-frames.js';
import type { ConnectionStatus, Transport } from './transport.js';
import { Listeners, validServerMessage } from './transport.js';

/** What the Electron preload exposes as `window.meshcall` (contextBridge). */
export interface MeshcallBridge {
  send(message: ClientMessage): void;
  onMessage(listener: (message: ServerMessage) => void): () => void;
  onFrame(listener: (bytes: Uint8Array) => void): () => void;
}

export function isMeshcallBridge(value: unknown): value is MeshcallBridge {
  if (typeof value !== 'object' || value === null) return false;
  const bridge = value as Record<string, unknown>;
  return (
    typeof bridge.send === 'function' &&
    typeof bridge.onMessage === 'function' &&
    typeof bridge.onFrame === 'function'
  );
}

/**
 * Wraps the preload bridge; IPC inside one app never drops, so it is always open. The main
 * process greets the page (hello) once it subscribes.
 */
export function createElectronTransport(bridge: MeshcallBridge): Transport {
  const messages = new Listeners<ServerMessage>();
  const frames = new Listeners<UiVideoFrame>();
  const statuses = new Listeners<ConnectionStatus>();
  const status: ConnectionStatus = { state: 'open' };
  const offMessage = bridge.onMessage((raw) => {
    const message = validServerMessage(raw);
    if (message) messages.emit(message);
  });
  const offFrame = bridge.onFrame((bytes: unknown) => {
    // Typed arrays cross the context bridge as copies; accept any view or a bare buffer.
    const view = ArrayBuffer.isView(bytes)
      ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      : bytes instanceof ArrayBuffer
        ? new Uint8Array(bytes)
        : null;
    const frame = view ? decodeUiFrame(view) : null;
    if (frame) frames.emit(frame);
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
    onStatus: (listener) => statuses.add(listener),
    retryNow(): void {
      // Nothing to reconnect.
    },
    close(): void {
      offMessage();
      offFrame();
      messages.clear();
      frames.clear();
      statuses.clear();
    },
  };
}
