/**
 * Who may load the interface and open its WebSocket. The URL meshcall prints carries a
 * one-time token: it travels in `xdg-open`'s argv (which other local users can read in
 * /proc) and in the browser's history, so it must be worthless once used. The first load
 * of the page with it trades it for a session cookie (HttpOnly: no script reads it;
 * SameSite=Strict: no other site's page makes the browser send it; no Max-Age: it ends
 * with the browser session), and from then on the cookie alone admits the page (reloads,
 * more tabs) and the WebSocket.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The query parameter of the printed URL that holds the token. */
export const TOKEN_PARAM = 's';

export type PageVerdict =
  | { ok: true; setCookie: string | null }
  | { ok: false; reason: 'no credential' | 'token already used' | 'wrong token'; page: string };

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Compares digests so that neither the content nor the length of a secret leaks in timing. */
function matches(expected: string, given: string | null | undefined): boolean {
  return typeof given === 'string' && timingSafeEqual(sha256(expected), sha256(given));
}

/** The value of cookie `name` in a Cookie header (RFC 6265 §5.4 syntax), if sent. */
function cookieValue(header: string | undefined, name: string): string | null {
  for (const pair of (header ?? '').split(';')) {
    const equals = pair.indexOf('=');
    if (equals !== -1 && pair.slice(0, equals).trim() === name) {
      return pair.slice(equals + 1).trim();
    }
  }
  return null;
}

function errorPage(title: string, text: string): string {
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>meshcall</title></head>' +
    `<body><h1>${title}</h1><p>${text}</p></body></html>\n`
  );
}

const PAGES = {
  'token already used': errorPage(
    'This meshcall link was already used',
    'Each link meshcall prints opens the interface once, in one browser. Go back to the ' +
      'tab where it is open (reloading it is fine), or restart meshcall for a new link.',
  ),
  'wrong token': errorPage(
    'This meshcall link is not valid',
    'Open the link meshcall printed when it started (it ends in ?s=…). A link from an ' +
      'earlier run of meshcall no longer works.',
  ),
  'no credential': errorPage(
    'Open the link meshcall printed',
    'meshcall prints a link when it starts (it ends in ?s=…); open that link to reach ' +
      'the interface.',
  ),
} as const;

export class PageAccess {
  readonly #token = randomBytes(32).toString('base64url');
  readonly #session = randomBytes(32).toString('base64url');
  /**
   * Cookies are scoped by host, not port: the port in the name keeps two meshcall runs in
   * one browser from overwriting each other's cookie.
   */
  readonly #cookieName: string;
  #tokenUsed = false;

  constructor(port: number) {
    this.#cookieName = `meshcall-${port}`;
  }

  /** The token for the printed URL; it admits one page load. */
  get token(): string {
    return this.#token;
  }

  /** Whether the request carries this run's session cookie. */
  hasSession(req: IncomingMessage): boolean {
    return matches(this.#session, cookieValue(req.headers.cookie, this.#cookieName));
  }

  /**
   * Decides a load of the page (`/`), whose query is `search` (without `?`). A GET with the
   * unused token uses it up and sets the cookie; HEAD never uses it (nothing to show).
   */
  admitPage(req: IncomingMessage, search: string): PageVerdict {
    if (this.hasSession(req)) return { ok: true, setCookie: null };
    const given = new URLSearchParams(search).get(TOKEN_PARAM);
    if (given === null) return refused('no credential');
    if (!matches(this.#token, given)) return refused('wrong token');
    if (this.#tokenUsed) return refused('token already used');
    if (req.method !== 'GET') return { ok: true, setCookie: null };
    this.#tokenUsed = true;
    return {
      ok: true,
      setCookie: `${this.#cookieName}=${this.#session}; HttpOnly; SameSite=Strict; Path=/`,
    };
  }
}

function refused(reason: keyof typeof PAGES): PageVerdict {
  return { ok: false, reason, page: PAGES[reason] };
}
