import { z } from 'zod';
import { fromBase64, peerIdFromPublicKey, toBase64 } from '../../crypto/index.js';
import { HEX_ID } from '../base/ids.js';
import { MAX_NAME_LENGTH, PROTOCOL_VERSION } from '../base/limits.js';

/** One node as its mDNS advert describes it (not yet proven: the key exchange proves it). */
export interface PeerAdvert {
  readonly id: string;
  readonly name: string;
  readonly publicKey: Uint8Array;
  readonly host: string;
  readonly port: number;
  readonly fqdn: string;
  readonly lastSeen: number;
}

/** What bonjour-service reports of a service: all of it comes off the network. */
export interface AdvertSource {
  readonly fqdn: string;
  readonly port: number;
  readonly txt?: unknown;
  readonly referer?: { readonly address: string };
  readonly addresses?: readonly string[];
}

export type AdvertParse =
  { ok: true; advert: PeerAdvert } | { ok: false; reason: string; id?: string };

const txtSchema = z.object({
  v: z.literal(String(PROTOCOL_VERSION)),
  id: z.string().regex(HEX_ID),
  name: z.string().min(1).max(MAX_NAME_LENGTH),
  pk: z.string().regex(/^[A-Za-z0-9+/]{43}=$/),
  port: z.string().regex(/^\d{1,5}$/),
});

/**
 * Checks an advert against itself (id = hash of key, TXT port = SRV port) and against us
 * (reason 'self' for our own); never throws for its content.
 */
export function parseAdvert(
  service: AdvertSource,
  self: { readonly id: string; readonly publicKey: Uint8Array },
  now: number,
): AdvertParse {
  const txt = txtSchema.safeParse(service.txt ?? {});
  if (!txt.success) return { ok: false, reason: 'malformed TXT record' };
  const { id, name, pk, port } = txt.data;
  if (id === self.id) {
    return pk === toBase64(self.publicKey)
      ? { ok: false, reason: 'self' }
      : { ok: false, reason: 'advert copies our own id', id };
  }
  let publicKey: Uint8Array;
  try {
    publicKey = fromBase64(pk);
  } catch {
    return { ok: false, reason: 'public key is not base64', id };
  }
  if (publicKey.length !== 32) return { ok: false, reason: 'public key has the wrong length', id };
  if (peerIdFromPublicKey(publicKey) !== id) {
    return { ok: false, reason: 'peer id does not match its public key', id };
  }
  const portNumber = Number(port);
  if (portNumber < 1 || portNumber > 65535 || portNumber !== service.port) {
    return { ok: false, reason: 'port in TXT and SRV disagree', id };
  }
  const host = service.referer?.address ?? service.addresses?.[0];
  if (!host) return { ok: false, reason: 'no address', id };
  return {
    ok: true,
    advert: { id, name, publicKey, host, port: portNumber, fqdn: service.fqdn, lastSeen: now },
  };
}
