/**
 * The interface's Content-Security-Policy, one source for both shells: the browser bridge
 * (which also lets the page open its WebSocket) and the Electron window (which talks IPC).
 */
export function contentSecurityPolicy(connectSrc: string): string {
  return [
    "default-src 'self'",
    "img-src 'self' blob: data:",
    // The watch party's film: the bridge's /party/ range endpoint (subtitles are cues made in
    // the page, not fetched tracks).
    "media-src 'self'",
    `connect-src ${connectSrc}`,
    "script-src 'self'",
    "style-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}
