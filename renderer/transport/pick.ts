import { createElectronTransport, isMeshcallBridge } from './electron.js';
import type { Transport } from './transport.js';
import { createWebSocketTransport, webSocketUrl } from './websocket.js';

/** Electron's preload bridge when there is one, else the browser bridge's WebSocket. */
export function pickTransport(win: Window): Transport {
  const bridge: unknown = (win as Window & { meshcall?: unknown }).meshcall;
  if (isMeshcallBridge(bridge)) return createElectronTransport(bridge);
  return createWebSocketTransport(webSocketUrl(win.location));
}

/** True when the page was opened without the per-run secret the bridge printed. */
export function missingSecret(win: Window): boolean {
  const bridge: unknown = (win as Window & { meshcall?: unknown }).meshcall;
  return !isMeshcallBridge(bridge) && !new URLSearchParams(win.location.search).get('s');
}
