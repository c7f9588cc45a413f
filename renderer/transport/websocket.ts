import type {
  ClientMessage,
  ServerMessage,
  UiVideo,
  UiVoiceFrame,
} from '../../protocol/ui-protocol.js';
import { decodeUiVideo, decodeUiVoice, encodeUiMic } from '../../protocol/ui-frames.js';
import { reconnectDelay } from './backoff.js';
import type { ConnectionStatus, Transport } from './transport.js';
import { HeldMessages, Listeners, parseServerMessage } from './transport.js';

/** The bridge's socket; the browser sends the session cookie with it (page-access.ts). */
export function webSocketUrl(location: { protocol: string; host: string }): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws`;
}

/**
 * JSON text messages are ServerMessage / ClientMessage, binary messages are video frames and
 * voice packets (and, from us, microphone packets).
 * Reconnects with backoff whenever the socket drops.
 */
export function createWebSocketTransport(url: string): Transport {
  const messages = new HeldMessages<ServerMessage>();
  const frames = new Listeners<UiVideo>();
  const voices = new Listeners<UiVoiceFrame>();
  const statuses = new Listeners<ConnectionStatus>();
  let status: ConnectionStatus = { state: 'connecting', attempt: 0 };
  let socket: WebSocket | null = null;
  let timer: number | undefined;
  let attempt = 0;
  let closed = false;

  const setStatus = (next: ConnectionStatus): void => {
    status = next;
    statuses.emit(next);
  };

  const connect = (): void => {
    window.clearTimeout(timer);
    timer = undefined;
    if (closed) return;
    setStatus({ state: 'connecting', attempt });
    let ws: WebSocket;
    try {
      ws = new WebSocket(url);
    } catch {
      scheduleReconnect();
      return;
    }
    socket = ws;
    ws.binaryType = 'arraybuffer';
    ws.addEventListener('open', () => {
      if (socket !== ws) return;
      attempt = 0;
      setStatus({ state: 'open' });
    });
    ws.addEventListener('message', (event: MessageEvent<unknown>) => {
      if (socket !== ws) return;
      const data = event.data;
      if (typeof data === 'string') {
        const message = parseServerMessage(data);
        if (message) messages.emit(message);
      } else if (data instanceof ArrayBuffer) {
        const bytes = new Uint8Array(data);
        const voice = decodeUiVoice(bytes);
        if (voice) {
          voices.emit(voice);
          return;
        }
        const frame = decodeUiVideo(bytes);
        if (frame) frames.emit(frame);
      }
    });
    ws.addEventListener('close', () => {
      if (socket !== ws) return;
      socket = null;
      scheduleReconnect();
    });
    // 'error' is always followed by 'close'.
  };

  const scheduleReconnect = (): void => {
    if (closed) return;
    const delay = reconnectDelay(attempt);
    attempt += 1;
    setStatus({ state: 'closed', retryAt: Date.now() + delay, attempt });
    timer = window.setTimeout(connect, delay);
  };

  connect();

  return {
    kind: 'websocket',
    get status() {
      return status;
    },
    send(message: ClientMessage): boolean {
      if (!socket || socket.readyState !== WebSocket.OPEN) return false;
      socket.send(JSON.stringify(message));
      return true;
    },
    onMessage: (listener) => messages.add(listener),
    onFrame: (listener) => frames.add(listener),
    onVoice: (listener) => voices.add(listener),
    sendMic(packet: Uint8Array): boolean {
      if (!socket || socket.readyState !== WebSocket.OPEN) return false;
      socket.send(encodeUiMic(packet));
      return true;
    },
    onStatus: (listener) => statuses.add(listener),
    retryNow(): void {
      if (status.state === 'closed') connect();
    },
    close(): void {
      closed = true;
      window.clearTimeout(timer);
      socket?.close();
      socket = null;
      messages.clear();
      frames.clear();
      voices.clear();
      statuses.clear();
    },
  };
}
