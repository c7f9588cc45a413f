/**
 * A hostile process for the negative tests, run as `node dist/test/helpers/rogue-node.js`.
 * It speaks the real protocol with the real classes but lies:
 *   --mode impostor --victim-key B64   advertise the victim's id and public key with our
 *                                      own key pair, and dial whoever we are told to as
 *                                      the victim;
 *   --mode bad-advert                  publish a meshcall advert whose TXT is malformed;
 *   --mode flood --count N [--victim-key B64]
 *                                      publish N well-formed adverts: copies of the victim's
 *                                      (id, key) if given, else each with a fresh identity.
 * Reports JSON lines on stdout like the headless node does (`event` field).
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Bonjour } from 'bonjour-service';
import {
  concatBytes,
  fromBase64,
  generateIdentity,
  peerIdFromPublicKey,
  toBase64,
} from '../../crypto/index.js';
import { Discovery, SERVICE_TYPE } from '../../p2p/discovery/discovery.js';
import { errorText } from '../../p2p/base/errors.js';
import { SignalingServer } from '../../p2p/signaling/server.js';

function report(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

async function impostor(victimKeyBase64: string, name: string): Promise<() => Promise<void>> {
  const victimKey = fromBase64(victimKeyBase64);
  const own = generateIdentity();
  // NaCl's secret key carries the public half; putting the victim's there makes every
  // consistency check pass while signatures still use our own scalar.
  const claimed = {
    publicKey: victimKey,
    secretKey: concatBytes(own.secretKey.subarray(0, 32), victimKey),
  };
  const server = new SignalingServer({ identity: claimed, name, port: 0 });
  server.on('refused', ({ address, error }) =>
    report({ event: 'refused', address, code: error.code, message: error.message }),
  );
  server.on('connection', (connection) =>
    report({ event: 'authenticated', peer: connection.peer?.id ?? null }),
  );
  const port = await server.listen();
  const discovery = new Discovery({
    id: peerIdFromPublicKey(victimKey),
    name,
    publicKey: victimKey,
    port,
  });
  discovery.start();
  report({ event: 'ready', port, claims: peerIdFromPublicKey(victimKey) });

  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const command = JSON.parse(line) as { cmd: string; host?: string; port?: number };
    if (command.cmd !== 'dial' || !command.host || !command.port) return;
    server.connect(command.host, command.port).then(
      () => report({ event: 'dial-result', ok: true }),
      (err: unknown) =>
        report({
          event: 'dial-result',
          ok: false,
          code: (err as { code?: string }).code ?? 'unknown',
          message: errorText(err),
        }),
    );
  });
  return async () => {
    server.close();
    await discovery.close();
  };
}

function badAdvert(name: string): () => Promise<void> {
  const bonjour = new Bonjour({}, () => undefined);
  bonjour.publish({
    name: `bad-${process.pid}`,
    type: SERVICE_TYPE,
    port: 9,
    probe: false,
    txt: { v: '1', id: 'not-an-id', name, pk: 'garbage', port: '9' },
  });
  report({ event: 'ready', port: 9 });
  return () => new Promise((resolve) => bonjour.unpublishAll(() => bonjour.destroy(resolve)));
}

function flood(count: number, name: string, victimKeyBase64?: string): () => Promise<void> {
  const bonjour = new Bonjour({}, () => undefined);
  for (let i = 0; i < count; i++) {
    const publicKey = victimKeyBase64 ? fromBase64(victimKeyBase64) : generateIdentity().publicKey;
    const id = peerIdFromPublicKey(publicKey);
    bonjour.publish({
      name: `flood-${process.pid}-${i}`,
      type: SERVICE_TYPE,
      port: 9,
      probe: false,
      disableIPv6: true,
      txt: { v: '1', id, name: `${name} ${i}`, pk: toBase64(publicKey), port: '9' },
    });
  }
  report({ event: 'ready', port: 9 });
  return () => new Promise((resolve) => bonjour.unpublishAll(() => bonjour.destroy(resolve)));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      mode: { type: 'string' },
      'victim-key': { type: 'string' },
      name: { type: 'string', default: 'rogue' },
      count: { type: 'string', default: '1' },
    },
  });
  const name = values.name ?? 'rogue';
  const stop =
    values.mode === 'impostor' && values['victim-key']
      ? await impostor(values['victim-key'], name)
      : values.mode === 'flood'
        ? flood(Number(values.count), name, values['victim-key'])
        : badAdvert(name);
  const shutdown = (): void => {
    void stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  process.stdin.on('end', shutdown);
}

void main();
