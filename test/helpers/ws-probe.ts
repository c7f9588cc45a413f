/**
 * A scriptable client of the browser bridge, run where the bridge's 127.0.0.1 is (inside
 * the node's network namespace): `node dist/test/helpers/ws-probe.js PORT`.
 *
 * Reads one JSON operation per line on stdin and prints one JSON object per line on stdout:
 *   {"op":"get","id":1,"path":"/x","method":"GET","host":"h","cookie":"c=v"}
 *        → {"id":1,"status":..,"headers":..,"body":..}
 *   {"op":"open","conn":"a","path":"/ws","origin":"http://..","cookie":"c=v"} → {"conn":"a","event":"open"}
 *        or {"conn":"a","event":"refused","status":403}
 *   {"op":"send","conn":"a","text":".."} / {"op":"send","conn":"a","base64":"..","binary":true}
 *   {"op":"send","conn":"a","fill":{"char":"x","bytes":N}} (a text message of N bytes)
 *   {"op":"close","conn":"a"}, {"op":"pause","conn":"a"}, {"op":"resume","conn":"a"}
 * and, as they happen: {"conn":"a","event":"message","data":<JSON>},
 * {"conn":"a","event":"frame",kind,peer,frame,width,height,codec,keyframe,bytes,start},
 * {"conn":"a","event":"close","code":..,"reason":".."}, {"conn":"a","event":"error",..}.
 */
import http from 'node:http';
import { createInterface } from 'node:readline';
import { WebSocket } from 'ws';
import { decodeUiVideo, isEncodedFrame } from '../../protocol/ui-frames.js';

type Op =
  | {
      op: 'get';
      id: number;
      path: string;
      method?: string;
      host?: string;
      cookie?: string;
      range?: string;
    }
  | { op: 'open'; conn: string; path: string; origin?: string; cookie?: string }
  | {
      op: 'send';
      conn: string;
      text?: string;
      base64?: string;
      binary?: boolean;
      fill?: { char: string; bytes: number };
    }
  | { op: 'close'; conn: string }
  /** Stop (or go back to) reading the socket: a client too slow for the video. */
  | { op: 'pause' | 'resume'; conn: string };

const port = Number(process.argv[2]);
const sockets = new Map<string, WebSocket>();

function out(value: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

function get(op: Extract<Op, { op: 'get' }>): void {
  const req = http.request(
    {
      host: '127.0.0.1',
      port,
      method: op.method ?? 'GET',
      // Sent as written: http.request does not normalise `..` away, a browser would.
      path: op.path,
      headers: {
        ...(op.host ? { host: op.host } : {}),
        ...(op.cookie ? { cookie: op.cookie } : {}),
        ...(op.range ? { range: op.range } : {}),
      },
    },
    (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        out({
          id: op.id,
          status: res.statusCode,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8').slice(0, 4000),
        }),
      );
    },
  );
  req.on('error', (err) => out({ id: op.id, error: err.message }));
  req.end();
}

function open(op: Extract<Op, { op: 'open' }>): void {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${op.path}`, {
    ...(op.origin === undefined ? {} : { origin: op.origin }),
    ...(op.cookie === undefined ? {} : { headers: { cookie: op.cookie } }),
  });
  sockets.set(op.conn, ws);
  const conn = op.conn;
  ws.on('open', () => out({ conn, event: 'open' }));
  ws.on('unexpected-response', (_req, res) => {
    out({ conn, event: 'refused', status: res.statusCode });
    res.resume();
    ws.terminate();
  });
  ws.on('error', (err) => out({ conn, event: 'error', message: err.message }));
  ws.on('close', (code, reason) => out({ conn, event: 'close', code, reason: reason.toString() }));
  ws.on('message', (data, isBinary) => {
    const bytes = Array.isArray(data)
      ? Buffer.concat(data)
      : Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data);
    if (!isBinary) {
      out({ conn, event: 'message', data: JSON.parse(bytes.toString('utf8')) as unknown });
      return;
    }
    const frame = decodeUiVideo(bytes);
    const content = frame && (isEncodedFrame(frame) ? frame.data : frame.jpeg);
    out({
      conn,
      event: 'frame',
      ok: frame !== null,
      kind: frame?.kind,
      peer: frame?.peer,
      frame: frame?.frame,
      width: frame?.width,
      height: frame?.height,
      codec: frame && isEncodedFrame(frame) ? frame.codec : 'jpeg',
      keyframe: frame && isEncodedFrame(frame) ? frame.keyframe : true,
      bytes: content?.byteLength,
      start: content ? Buffer.from(content.subarray(0, 4)).toString('hex') : null,
    });
  });
}

function send(op: Extract<Op, { op: 'send' }>): void {
  const ws = sockets.get(op.conn);
  if (!ws || ws.readyState !== WebSocket.OPEN) {
    out({ conn: op.conn, event: 'error', message: 'not open' });
    return;
  }
  if (op.fill) ws.send(op.fill.char.repeat(op.fill.bytes));
  else if (op.base64 !== undefined) {
    ws.send(Buffer.from(op.base64, 'base64'), { binary: op.binary ?? true });
  } else ws.send(op.text ?? '');
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on('line', (line) => {
  const op = JSON.parse(line) as Op;
  switch (op.op) {
    case 'get':
      return get(op);
    case 'open':
      return open(op);
    case 'send':
      return send(op);
    case 'close':
      sockets.get(op.conn)?.close(1000, 'done');
      return;
    case 'pause':
      sockets.get(op.conn)?.pause();
      return;
    case 'resume':
      sockets.get(op.conn)?.resume();
      return;
  }
});
lines.on('close', () => {
  for (const ws of sockets.values()) ws.terminate();
  process.exit(0);
});
out({ event: 'probe-ready' });
