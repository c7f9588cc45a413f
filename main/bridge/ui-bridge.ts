/**
 * The browser bridge: serves the built renderer over HTTP on 127.0.0.1 and carries the
 * ui-protocol over a WebSocket at /ws, so the interface runs in any browser where
 * Electron cannot (docs/architecture.md, "Facts learned on these machines").
 *
 * Trust model: the page is untrusted, and so is every other page the user's browser
 * opens, since any of them can reach 127.0.0.1. Scripts and styles are harmless and need no
 * secret; the page itself and the WebSocket, which drives the node, need the session cookie
 * that the one-time token of the printed URL was traded for (page-access.ts), and the
 * WebSocket an Origin of our own; every message it carries is validated.
 */
import { contentSecurityPolicy } from '../content-security-policy.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES, createServer } from 'node:http';
import { partyTarget, servePartyMedia } from './party-media.js';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { RawData } from 'ws';
import { WebSocket, WebSocketServer } from 'ws';
import { errorText } from '../../p2p/base/errors.js';
import type { Logger } from '../../p2p/base/logger.js';
import { silentLogger } from '../../p2p/base/logger.js';
import type { SelfInfo, ServerMessage } from '../../protocol/ui-protocol.js';
import { MAX_CLIENT_MESSAGE_BYTES, badCommand, checkClientText } from './client-messages.js';
import { BridgeError } from './errors.js';
import { ChainGate } from './chain-gate.js';
import { FRAME_KIND_MIC } from '../../protocol/ui-frames.js';
import { MicIntake } from './mic-intake.js';
import { PageAccess, TOKEN_PARAM } from './page-access.js';
import { readStaticFile } from './static-files.js';
import { rawDataBinary, rawDataBytes, rawDataText } from './ws-data.js';
import { feedSession, greeting } from './ui-feed.js';
import type { UiBridgeOptions, UiBridgeStats } from './ui-bridge-types.js';

export type { UiBridgeOptions, UiBridgeStats } from './ui-bridge-types.js';

const WS_PATH = '/ws';
const DEFAULT_MAX_CLIENTS = 4;
/**
 * Messages between MAX_CLIENT_MESSAGE_BYTES and this get an ERR_BAD_COMMAND answer; above
 * it ws closes the connection (1009) without buffering more of it.
 */
const HARD_MAX_PAYLOAD = 1024 * 1024;
/** A client this far behind on video gets no more frames until it catches up. */
const MAX_BUFFERED_FOR_FRAMES = 4 * 1024 * 1024;
/** Events are never dropped, so a client this far behind (not reading at all) is closed. */
const MAX_BUFFERED_AT_ALL = 32 * 1024 * 1024;
const CLOSE_GRACE_MS = 1000;

interface Client {
  readonly ws: WebSocket;
  /** Streams with a frame handed to ws and not yet written to the socket. */
  readonly inFlight: Set<string>;
  /** Frames dropped since the last one this client was sent. */
  dropping: number;
  /** Streams held back until a keyframe after a skipped frame. */
  readonly chains: ChainGate;
}

type Refusal = { status: 403 | 404 | 503; reason: string };

export class UiBridge {
  readonly #options: UiBridgeOptions;
  readonly #log: Logger;
  #access: PageAccess | null = null;
  readonly #clients = new Set<Client>();
  readonly #server = createServer((req, res) => void this.#serve(req, res));
  readonly #wss = new WebSocketServer({
    noServer: true,
    maxPayload: HARD_MAX_PAYLOAD,
    // JPEG does not compress, and compression state per client is memory a page controls.
    perMessageDeflate: false,
  });
  #port = 0;
  #origin = '';
  #csp = '';
  #started = false;
  #closing: Promise<void> | null = null;
  #unsubscribe: (() => void) | null = null;
  readonly #stats = {
    refusedUpgrades: 0,
    refusedPages: 0,
    badMessages: 0,
    droppedFrames: 0,
    droppedVoice: 0,
  };
  readonly #mic: MicIntake;

  constructor(options: UiBridgeOptions) {
    if (options.host !== '127.0.0.1') {
      throw new BridgeError('ERR_BRIDGE_LISTEN', 'the browser bridge listens on 127.0.0.1 only');
    }
    this.#options = options;
    this.#log = options.logger ?? silentLogger;
    this.#mic = new MicIntake((packet) => options.session.audio.pushUiPacket(packet), this.#log);
    this.#server.on('upgrade', (req, socket) => this.#upgrade(req, socket));
    // A client resetting its connection is its own business; the server keeps serving.
    this.#server.on('clientError', (_err, socket) => socket.destroy());
  }

  get stats(): UiBridgeStats {
    return { clients: this.#clients.size, ...this.#stats, badVoice: this.#mic.bad };
  }

  /** Listens and starts forwarding the session; resolves with the page URL (its token works once). */
  async start(): Promise<{ url: string }> {
    if (this.#started || this.#closing) {
      throw new BridgeError('ERR_BRIDGE_STATE', 'the browser bridge was already started');
    }
    this.#started = true;
    await new Promise<void>((resolve, reject) => {
      const failed = (err: Error): void =>
        reject(
          new BridgeError('ERR_BRIDGE_LISTEN', `cannot listen on 127.0.0.1: ${err.message}`, {
            cause: err,
          }),
        );
      this.#server.once('error', failed);
      this.#server.listen(this.#options.port, this.#options.host, () => {
        this.#server.off('error', failed);
        resolve();
      });
    });
    if (this.#closing) {
      // close() ran while we were binding; it found nothing listening to stop.
      this.#server.close();
      throw new BridgeError('ERR_BRIDGE_STATE', 'the browser bridge was closed while starting');
    }
    this.#server.on('error', (err) => this.#log.error('ui: server error', { reason: err.message }));
    this.#port = (this.#server.address() as AddressInfo).port;
    this.#origin = `http://127.0.0.1:${this.#port}`;
    this.#access = new PageAccess(this.#port);
    this.#csp = contentSecurityPolicy(`'self' ws://127.0.0.1:${this.#port}`);
    this.#unsubscribe = feedSession(
      this.#options.session,
      {
        message: (message) => {
          for (const client of this.#clients) this.#sendMessage(client, message);
        },
        frame: (stream, bytes, delta) => {
          let flowing = true;
          for (const client of this.#clients) {
            flowing = this.#sendFrame(client, stream, bytes, delta) && flowing;
          }
          return flowing;
        },
        voice: (bytes) => {
          for (const client of this.#clients) this.#sendVoice(client, bytes);
        },
      },
      this.#log,
    );
    this.#log.info('ui: browser bridge listening', { port: this.#port });
    return { url: `${this.#origin}/?${TOKEN_PARAM}=${this.#access.token}` };
  }

  /** Idempotent: closes every client, stops listening and stops forwarding. */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    const sockets = [...this.#clients].map(({ ws }) => ws);
    this.#clients.clear();
    const clientsClosed = sockets.map(
      (ws) =>
        new Promise<void>((resolve) =>
          ws.readyState === WebSocket.CLOSED ? resolve() : ws.once('close', () => resolve()),
        ),
    );
    for (const ws of sockets) ws.close(1001, 'meshcall is stopping');
    // The close handshake lets a page tell "stopped" from "crashed"; a page that does not
    // answer it does not get to hold the node's exit up.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(clientsClosed),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_GRACE_MS);
      }),
    ]);
    clearTimeout(timer);
    for (const ws of sockets) ws.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    if (!this.#server.listening) return;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  #securityHeaders(): Record<string, string> {
    return {
      'Content-Security-Policy': this.#csp,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
      'X-Frame-Options': 'DENY',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
    };
  }

  #hostIsOurs(req: IncomingMessage): boolean {
    // A DNS-rebinding page reaches us under its own host name; our URL only ever uses this one.
    return req.headers.host === `127.0.0.1:${this.#port}`;
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const plain = (status: number, extra: Record<string, string> = {}, html?: string): void => {
      const body = html ?? `${status} ${STATUS_CODES[status] ?? ''}\n`;
      res.writeHead(status, {
        ...this.#securityHeaders(),
        'Content-Type': html ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8',
        'Content-Length': String(Buffer.byteLength(body)),
        ...extra,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (!this.#hostIsOurs(req)) return plain(403);
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(405, { Allow: 'GET, HEAD' });
    const target = req.url ?? '/';
    const query = target.indexOf('?');
    const rawPath = query === -1 ? target : target.slice(0, query);
    const party = partyTarget(rawPath);
    if (party) {
      // The film is the call's: only the page that holds the session may read it.
      if (!this.#access?.hasSession(req)) return plain(403);
      const media = this.#options.session.party.media(party.party);
      return servePartyMedia(req, res, media, this.#securityHeaders(), party.subtitles);
    }
    const cookie: Record<string, string> = {};
    if (rawPath === '/' || rawPath === '/index.html') {
      // Null only before start() has its port; nothing can ask that early.
      if (!this.#access) return plain(503);
      const verdict = this.#access.admitPage(req, query === -1 ? '' : target.slice(query + 1));
      if (!verdict.ok) {
        this.#stats.refusedPages += 1;
        // Never log the URL: it would carry a guessed (or the real, used) token into the logs.
        this.#log.warn('ui: page refused', {
          reason: verdict.reason,
          refused: this.#stats.refusedPages,
        });
        return plain(403, {}, verdict.page);
      }
      if (verdict.setCookie) cookie['Set-Cookie'] = verdict.setCookie;
    }
    let result;
    try {
      result = await readStaticFile(this.#options.staticDir, rawPath);
    } catch (err) {
      this.#log.warn('ui: static file failed', { reason: errorText(err) });
      result = { status: 404 as const, reason: 'not found' };
    }
    if (result.status !== 200) return plain(result.status);
    res.writeHead(200, {
      ...this.#securityHeaders(),
      'Content-Type': result.contentType,
      'Content-Length': String(result.body.byteLength),
      ...cookie,
    });
    res.end(req.method === 'HEAD' ? undefined : result.body);
  }

  #refusal(req: IncomingMessage): Refusal | null {
    const target = req.url ?? '';
    const query = target.indexOf('?');
    const rawPath = query === -1 ? target : target.slice(0, query);
    if (rawPath !== WS_PATH) return { status: 404, reason: 'not the WebSocket path' };
    if (!this.#hostIsOurs(req)) return { status: 403, reason: 'foreign host' };
    if (req.headers.origin !== this.#origin) return { status: 403, reason: 'foreign origin' };
    if (!this.#access?.hasSession(req)) return { status: 403, reason: 'no session cookie' };
    const max = this.#options.maxClients ?? DEFAULT_MAX_CLIENTS;
    if (this.#clients.size >= max) return { status: 503, reason: 'too many connections' };
    return null;
  }

  #upgrade(req: IncomingMessage, socket: Duplex): void {
    socket.on('error', () => socket.destroy());
    const refusal = this.#closing
      ? { status: 503 as const, reason: 'stopping' }
      : this.#refusal(req);
    if (refusal) {
      this.#stats.refusedUpgrades += 1;
      // Never log the URL: it would carry a guessed (or the real) secret into the logs.
      this.#log.warn('ui: WebSocket refused', {
        reason: refusal.reason,
        origin: req.headers.origin ?? null,
        refused: this.#stats.refusedUpgrades,
      });
      socket.end(
        `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? ''}\r\n` +
          'Connection: close\r\nContent-Length: 0\r\n\r\n',
      );
      return;
    }
    this.#wss.handleUpgrade(req, socket, Buffer.alloc(0), (ws) => this.#accept(ws));
  }

  #accept(ws: WebSocket): void {
    if (this.#closing) {
      ws.close(1001, 'meshcall is stopping');
      return;
    }
    const client: Client = { ws, inFlight: new Set(), dropping: 0, chains: new ChainGate() };
    this.#clients.add(client);
    this.#log.info('ui: client connected', { clients: this.#clients.size });
    ws.on('message', (data, isBinary) => this.#onMessage(client, data, isBinary));
    ws.on('error', (err) => this.#log.warn('ui: client error', { reason: err.message }));
    ws.on('close', () => {
      this.#clients.delete(client);
      this.#log.info('ui: client disconnected', { clients: this.#clients.size });
    });
    const self: SelfInfo = { ...this.#options.selfInfo };
    for (const message of greeting(this.#options.session, self)) {
      this.#sendMessage(client, message);
    }
  }

  #onMessage(client: Client, data: RawData, isBinary: boolean): void {
    const bytes = isBinary ? rawDataBinary(data) : null;
    // Only an authenticated page has a socket at all (#refusal); the intake checks the rest.
    if (bytes?.[0] === FRAME_KIND_MIC) return this.#mic.take(bytes);
    const verdict = bytes
      ? { ok: false as const, message: 'binary messages other than microphone frames are refused' }
      : rawDataBytes(data) > MAX_CLIENT_MESSAGE_BYTES
        ? { ok: false as const, message: `message longer than ${MAX_CLIENT_MESSAGE_BYTES} bytes` }
        : checkClientText(rawDataText(data), { allowQuit: false });
    if (!verdict.ok) {
      this.#stats.badMessages += 1;
      this.#log.debug('ui: bad client message', {
        reason: verdict.message,
        bad: this.#stats.badMessages,
      });
      this.#sendMessage(client, badCommand(verdict.message));
      return;
    }
    this.#options.session.handle(verdict.command);
  }

  #sendVoice(client: Client, bytes: Uint8Array): void {
    const { ws } = client;
    if (ws.readyState !== WebSocket.OPEN) return;
    // Voice is never held back for video in flight; only a client that stopped reading
    // loses it (it would play it too late anyway).
    if (ws.bufferedAmount > MAX_BUFFERED_FOR_FRAMES) {
      this.#stats.droppedVoice += 1;
      return;
    }
    ws.send(bytes, { binary: true });
  }

  #sendMessage(client: Client, message: ServerMessage): void {
    const { ws } = client;
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_AT_ALL) {
      this.#log.warn('ui: closing a client that stopped reading', {
        buffered: ws.bufferedAmount,
      });
      ws.terminate();
      return;
    }
    ws.send(JSON.stringify(message));
  }

  /** False when this client now waits for a keyframe of `stream` (see ChainGate). */
  #sendFrame(client: Client, stream: string, bytes: Uint8Array, delta: boolean): boolean {
    const { ws, inFlight, chains } = client;
    if (ws.readyState !== WebSocket.OPEN) return true;
    if (!chains.admits(stream, delta)) {
      this.#stats.droppedFrames += 1;
      return false;
    }
    if (inFlight.has(stream) || ws.bufferedAmount > MAX_BUFFERED_FOR_FRAMES) {
      this.#stats.droppedFrames += 1;
      client.dropping += 1;
      chains.skipped(stream);
      if (client.dropping === 1)
        this.#log.debug('ui: dropping video for a slow client', { stream });
      return false;
    }
    if (client.dropping > 0) {
      this.#log.debug('ui: slow client caught up', { stream, dropped: client.dropping });
      client.dropping = 0;
    }
    inFlight.add(stream);
    // ws calls back once the frame is written to the socket: until then a newer frame of
    // this stream would only wait behind it, so it is dropped instead.
    ws.send(bytes, { binary: true }, () => inFlight.delete(stream));
    return true;
  }
}
