import { createElectronTransport, isMeshcallBridge } from './electron.js';
import type { Transport } from './transport.js';
import { createWebSocketTransport, webSocketUrl } from './websocket.js';

/** Electron's preload bridge when there is one, else the browser bridge's WebSocket. */
export function pickTransport(win: Window): Transport {
  const bridge: unknown = (win as Window & { meshcall?: unknown }).meshcall;
  if (isMeshcallBridge(bridge)) return createElectronTransport(bridge);
  return createWebSocketTransport(webSocketUrl(win.location));
}

/**
 * Takes the browser bridge's one-time token out of the address bar and the history entry.
 * It was used up loading this page (the bridge set a session cookie for reloads and the
 * WebSocket), so a copied address or a reload never presents it again.
 */
export function forgetUrlToken(win: Window): void {
  const url = new URL(win.location.href);
  if (!url.searchParams.has('s')) return;
  url.searchParams.delete('s');
  win.history.replaceState(win.history.state, '', `${url.pathname}${url.search}${url.hash}`);
}
