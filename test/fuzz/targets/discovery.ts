import fc from 'fast-check';
import { peerIdFromPublicKey, toBase64 } from '../../../crypto/index.js';
import { parseAdvert } from '../../../p2p/discovery/advert.js';
import { target, violation } from '../harness.js';
import { havocText } from '../havoc.js';
import { mutatedJsonText } from '../mutate.js';
import { identity } from './fixtures.js';
import { KEY_SEEDS, realPublicKey } from './wire-values.js';

const SELF_SEED = KEY_SEEDS[0];

function self() {
  const { publicKey } = identity(SELF_SEED);
  return { id: peerIdFromPublicKey(publicKey), publicKey };
}

/** A genuine TXT record (sometimes our own), its SRV port, and the address it came from. */
const advert = fc
  .record({
    publicKey: realPublicKey,
    name: fc.string({ minLength: 1, maxLength: 64 }),
    port: fc.integer({ min: 1, max: 65535 }),
  })
  .map(({ publicKey, name, port }) => ({
    txt: {
      v: '1',
      id: peerIdFromPublicKey(publicKey),
      name,
      pk: toBase64(publicKey),
      port: String(port),
    },
    port,
  }));

function parsedOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export const advertsTarget = target({
  name: 'adverts',
  parser: 'p2p/discovery/advert.ts parseAdvert (mDNS TXT/SRV)',
  arbitrary: fc.record({
    txt: mutatedJsonText(advert.map((a) => a.txt)).map(parsedOrText),
    srvPort: fc.oneof(
      advert.map((a) => a.port),
      fc.integer({ min: -1, max: 70000 }),
    ),
    samePort: fc.boolean(),
    referer: fc.option(fc.record({ address: fc.constantFrom('10.0.0.2', '', 'fe80::1%eth0') }), {
      nil: undefined,
    }),
    addresses: fc.option(fc.array(fc.constantFrom('10.0.0.3', ''), { maxLength: 2 }), {
      nil: undefined,
    }),
  }),
  havoc: (input, rng) => {
    const txt = input.txt;
    if (typeof txt === 'string') return { ...input, txt: havocText(txt, rng) };
    if (typeof txt !== 'object' || txt === null || rng.chance(0.1)) {
      return { ...input, srvPort: rng.int(70000) - 1, samePort: rng.chance(0.5) };
    }
    // Damage one TXT value (bonjour-service hands them over as strings).
    const record = { ...(txt as Record<string, unknown>) };
    const keys = Object.keys(record);
    const key = keys.length > 0 ? rng.pick(keys) : 'v';
    const value = record[key];
    // Not JSON.stringify: a value may be nested too deep to print.
    record[key] = havocText(typeof value === 'string' ? value : typeof value, rng);
    return { ...input, txt: record };
  },
  check({ txt, srvPort, samePort, referer, addresses }) {
    // Half the time the SRV port agrees with the TXT port, so parsing reaches the address checks.
    const txtPort =
      typeof txt === 'object' && txt !== null ? (txt as { port?: unknown }).port : undefined;
    const port = samePort && typeof txtPort === 'string' ? Number(txtPort) : srvPort;
    const service = { fqdn: 'x._meshcall._tcp.local', port, txt, referer, addresses };
    const result = parseAdvert(service, self(), 1000);
    if (!result.ok) {
      if (typeof result.reason !== 'string') violation('untyped rejection');
      return `rejected:${result.reason}`;
    }
    const a = result.advert;
    if (
      peerIdFromPublicKey(a.publicKey) !== a.id ||
      a.port !== port ||
      a.port < 1 ||
      a.port > 65535
    ) {
      violation(`accepted ${JSON.stringify({ ...a, publicKey: a.publicKey.length })}`);
    }
    if (a.name.length < 1 || a.name.length > 64 || a.host.length === 0)
      violation('accepted a bad name or host');
    return 'ok';
  },
});
