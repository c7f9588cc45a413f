/**
 * The Electron main process: hosts the node (the same Session as every front end) and one
 * window showing dist/renderer through the `meshcall:` protocol. The page is treated as
 * untrusted: sandboxed, isolated, no Node, no navigation, no new windows, and every
 * message it sends is validated before the session sees it.
 *
 * Started by `meshcall app` (main/app.ts), which passes its options in MESHCALL_ARGV; a
 * packaged app started from a desktop icon has none and takes its options after `--`.
 */
import { contentSecurityPolicy } from '../content-security-policy.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IpcMainEvent, IpcMainInvokeEvent, WebContents } from 'electron';
import {
  BrowserWindow,
  app,
  dialog,
  ipcMain,
  protocol,
  session as electronSession,
  shell,
} from 'electron';
import { cleanup as releaseDataChannels } from 'node-datachannel';
import { z } from 'zod';
import { errorText } from '../../p2p/base/errors.js';
import { webLink } from '../../protocol/web-link.js';
import { badCommand, checkClientMessage } from '../bridge/client-messages.js';
import type { StartedNode } from '../bridge/start-session.js';
import { isOpencvLoadFailure, startSession } from '../bridge/start-session.js';
import { readStaticFile } from '../bridge/static-files.js';
import { answerPartyRequest, partyTarget } from '../bridge/party-media.js';
import { feedSession, greeting } from '../bridge/ui-feed.js';
import type { AppArgs } from '../cli-args.js';
import { APP_USAGE, parseAppArgs } from '../cli-args.js';
import { parseLogLevel, stderrLogger } from '../stderr-logger.js';
import type { ServerMessage } from '../../protocol/ui-protocol.js';
import {
  IPC_COMMAND,
  IPC_EVENT,
  IPC_FRAME,
  IPC_HELLO,
  IPC_MIC,
  IPC_PICK_VIDEO,
  IPC_SAVE_CHAT,
  IPC_VOICE,
} from './ipc-channels.js';
import { pickLabels, pickVideoFile } from './file-dialog.js';
import type { SaveChatResult } from '../save-chat.js';
import { saveChat } from '../save-chat.js';
import { writeOwnerOnly } from '../owner-only-file.js';
import { MicIntake } from '../bridge/mic-intake.js';

const SCHEME = 'meshcall';
const HOST = 'app';
const PAGE_ORIGIN = `${SCHEME}://${HOST}`;
const RENDERER_DIR = fileURLToPath(new URL('../../renderer/', import.meta.url));
const PRELOAD = fileURLToPath(new URL('../../electron/preload.cjs', import.meta.url));
/** Same as the browser bridge's, less the WebSocket: here the page talks over IPC. */
const CSP = contentSecurityPolicy("'self'");
const SECURITY_HEADERS = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

function readArgv(): string[] {
  const passed = process.env.MESHCALL_ARGV;
  // Not for the capture process or anything else this process starts.
  delete process.env.MESHCALL_ARGV;
  if (passed !== undefined) return z.array(z.string()).parse(JSON.parse(passed));
  const separator = process.argv.indexOf('--');
  return separator === -1 ? [] : process.argv.slice(separator + 1);
}

function fail(title: string, message: string): never {
  process.stderr.write(`meshcall: ${title}: ${message}\n`);
  if (app.isReady()) dialog.showErrorBox(title, message);
  // Not app.exit: that returns, and whatever ran next would run without a session.
  process.exit(1);
}

let args: AppArgs;
try {
  args = parseAppArgs(readArgv());
} catch (err) {
  fail('meshcall: bad options', `${errorText(err)}\n${APP_USAGE}`);
}
const logger = stderrLogger(parseLogLevel(args.logLevel));

// Chromium's profile and the single-instance lock live with the identity: one window per
// identity, while two identities (two data folders) can run side by side.
app.setPath('userData', path.join(args.dataDir, 'electron'));
protocol.registerSchemesAsPrivileged([
  // stream: the party's <video> reads the film in ranges through this scheme.
  {
    scheme: SCHEME,
    privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true },
  },
]);

let window: BrowserWindow | null = null;
let node: StartedNode | null = null;
let stopFeed: (() => void) | null = null;
/** The page has subscribed (preload's hello) at least once since its process started. */
let pageListening = false;
let badMessages = 0;
const mic = new MicIntake((packet) => node?.session.audio.pushUiPacket(packet), logger);
let shutdown: Promise<void> | null = null;
let stopped = false;

function toPage(channel: string, payload: ServerMessage | Uint8Array): void {
  if (!pageListening || !window || window.isDestroyed()) return;
  window.webContents.send(channel, payload);
}

/** IPC counts only from our window's top frame showing our page, never from a subframe. */
function fromOurPage(event: IpcMainEvent | IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return (
    window !== null &&
    !window.isDestroyed() &&
    event.sender === window.webContents &&
    frame !== null &&
    frame === window.webContents.mainFrame &&
    frame.url.startsWith(`${PAGE_ORIGIN}/`)
  );
}

function harden(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // A chat link (target=_blank) opens in the system browser, never in a window of ours;
  // only http(s) goes out, whatever the page asked for.
  contents.setWindowOpenHandler(({ url }) => {
    const link = webLink(url);
    if (link) {
      shell.openExternal(link).catch((err: unknown) => {
        // Not the address: it came from a chat, and chat text stays out of the logs.
        logger.warn('ui: could not open a link in the browser', { reason: errorText(err) });
      });
    }
    return { action: 'deny' };
  });
}

async function serveRenderer(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const party = url.host === HOST ? partyTarget(url.pathname) : null;
  if (party) {
    const media = node?.session.party.media(party.party) ?? null;
    const range = request.headers.get('range');
    const { subtitles } = party;
    const answer = await answerPartyRequest(
      request.method,
      range,
      media,
      SECURITY_HEADERS,
      subtitles,
    );
    return new Response(answer.body ? new Uint8Array(answer.body) : null, answer);
  }
  const result =
    url.host === HOST && request.method === 'GET'
      ? await readStaticFile(RENDERER_DIR, url.pathname)
      : ({ status: 404, reason: 'not found' } as const);
  if (result.status !== 200) {
    return new Response(`${result.status}\n`, { status: result.status, headers: SECURITY_HEADERS });
  }
  return new Response(new Uint8Array(result.body), {
    status: 200,
    headers: { ...SECURITY_HEADERS, 'Content-Type': result.contentType },
  });
}

function onHello(event: IpcMainEvent): void {
  if (!fromOurPage(event) || !node) return;
  pageListening = true;
  for (const message of greeting(node.session, node.self)) toPage(IPC_EVENT, message);
}

function onCommand(event: IpcMainEvent, raw: unknown): void {
  if (!fromOurPage(event)) {
    logger.warn('ui: IPC from outside our page ignored', { url: event.senderFrame?.url ?? null });
    return;
  }
  const verdict = checkClientMessage(raw, { allowQuit: true });
  if (!verdict.ok) {
    badMessages += 1;
    logger.debug('ui: bad client message', { reason: verdict.message, bad: badMessages });
    toPage(IPC_EVENT, badCommand(verdict.message));
    return;
  }
  // The window is the app itself: its Quit ends the app like closing the window does.
  if (verdict.command.cmd === 'quit') app.quit();
  else node?.session.handle(verdict.command);
}

/** The page's chat export, saved where the person picks in the save dialog. */
function onSaveChat(event: IpcMainInvokeEvent, raw: unknown): Promise<SaveChatResult> {
  const owner = window;
  if (!fromOurPage(event) || !owner) return Promise.resolve('failed');
  return saveChat(raw, {
    folder: app.getPath('documents'),
    choosePath: async (choice) => {
      const answer = await dialog.showSaveDialog(owner, choice);
      return answer.canceled || !answer.filePath ? null : answer.filePath;
    },
    write: writeOwnerOnly,
    onRefused: (reason) => logger.warn('ui: bad save-chat request', { reason }),
    onFailed: (err) => logger.warn('could not save the chat', { reason: errorText(err) }),
  });
}

function onMic(event: IpcMainEvent, bytes: unknown): void {
  if (fromOurPage(event)) mic.take(bytes);
}

/** The page may use the microphone (voice), and nothing else of its media. */
function microphoneOnly(
  permission: string,
  mediaTypes: readonly string[] | undefined,
  url: string,
): boolean {
  return (
    permission === 'media' &&
    url.startsWith(`${PAGE_ORIGIN}/`) &&
    mediaTypes !== undefined &&
    mediaTypes.length > 0 &&
    mediaTypes.every((type) => type === 'audio')
  );
}

function createWindow(): BrowserWindow {
  const created = new BrowserWindow({
    width: 1200,
    height: 800,
    minWidth: 640,
    minHeight: 480,
    title: 'meshcall',
    show: false,
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: !app.isPackaged,
    },
  });
  created.once('ready-to-show', () => created.show());
  // A page that reloads keeps getting messages (it drops those sent before it listens) and
  // its preload says hello again, which brings the greeting again.
  created.webContents.on('render-process-gone', (_event, details) => {
    pageListening = false;
    logger.error('ui: page process ended', { reason: details.reason });
  });
  created.on('closed', () => {
    window = null;
  });
  void created.loadURL(`${PAGE_ORIGIN}/index.html`);
  return created;
}

async function stop(): Promise<void> {
  stopFeed?.();
  stopFeed = null;
  await node?.session.close();
  releaseDataChannels();
}

async function start(): Promise<void> {
  const ses = electronSession.defaultSession;
  ses.protocol.handle(SCHEME, serveRenderer);
  // The renderer shows video that the node captures: no camera of its own. It captures the
  // microphone itself (voice: echo cancellation needs the page's own output). Notifications
  // tell about invites while the window is in the background.
  ses.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(
      permission === 'notifications' ||
        microphoneOnly(
          permission,
          'mediaTypes' in details ? details.mediaTypes : [],
          details.requestingUrl,
        ),
    ),
  );
  ses.setPermissionCheckHandler(
    (_contents, permission, origin, details) =>
      permission === 'notifications' ||
      microphoneOnly(permission, details.mediaType === 'audio' ? ['audio'] : [], `${origin}/`),
  );
  // Our protocol sets these itself; this covers anything else a page might load.
  ses.webRequest.onHeadersReceived((details, callback) =>
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] },
    }),
  );
  ipcMain.on(IPC_HELLO, onHello);
  ipcMain.on(IPC_COMMAND, onCommand);
  ipcMain.on(IPC_MIC, onMic);
  ipcMain.handle(IPC_PICK_VIDEO, (event, labels: unknown) =>
    fromOurPage(event) && window ? pickVideoFile(window, pickLabels(labels)) : null,
  );
  ipcMain.handle(IPC_SAVE_CHAT, onSaveChat);

  try {
    node = await startSession(args, logger, 'electron');
  } catch (err) {
    fail('meshcall could not start', errorText(err));
  }
  stopFeed = feedSession(
    node.session,
    {
      message: (message) => toPage(IPC_EVENT, message),
      // IPC never skips a frame, so every chain stays whole.
      frame: (_stream, bytes) => {
        toPage(IPC_FRAME, bytes);
        return true;
      },
      voice: (bytes) => toPage(IPC_VOICE, bytes),
    },
    logger,
  );
  let hinted = false;
  node.session.on('event', (event) => {
    if (isOpencvLoadFailure(event) && !hinted) {
      hinted = true;
      // The log line is JSON for tools; the person who started the app gets it plainly too.
      process.stderr.write(
        'meshcall: video capture cannot start under Electron until the OpenCV binding is ' +
          'rebuilt for it: npx @electron/rebuild -f -w @u4/opencv4nodejs\n',
      );
    }
  });
  window = createWindow();
}

if (!app.requestSingleInstanceLock()) {
  // Another window already runs this identity; it comes to the front instead.
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.on('web-contents-created', (_event, contents) => harden(contents));
  // One window: closing it ends the node too, on every platform. A call that went on
  // with no window showing it would be a surprise.
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    shutdown ??= stop()
      .catch((err: unknown) => logger.error('could not stop cleanly', { reason: errorText(err) }))
      .finally(() => {
        stopped = true;
        app.quit();
      });
  });
  process.on('SIGINT', () => app.quit());
  process.on('SIGTERM', () => app.quit());
  app
    .whenReady()
    .then(start)
    .catch((err: unknown) => fail('meshcall could not start', errorText(err)));
}
