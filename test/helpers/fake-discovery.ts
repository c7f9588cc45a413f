import assert from 'node:assert/strict';
import { peerIdFromPublicKey } from '../../crypto/index.js';
import { TypedEmitter } from '../../p2p/base/typed-emitter.js';
import type { Discovery, DiscoveryEvents, PeerAdvert } from '../../p2p/discovery/discovery.js';
import { seededIdentity } from './crypto-fixtures.js';

/**
 * What PeerDirectory reads of Discovery (its events, peers() and endpoints()), driven by the
 * test instead of mDNS. Discovery has private fields, so it is cast where it is handed over.
 */
export class FakeDiscovery extends TypedEmitter<DiscoveryEvents> {
  /** id → its adverts, most recently seen first (a copy of someone's advert goes first). */
  readonly #adverts = new Map<string, PeerAdvert[]>();

  up(advert: PeerAdvert): void {
    const others = this.#adverts.get(advert.id) ?? [];
    this.#adverts.set(advert.id, [advert, ...others]);
    // As Discovery: peer-up only for an id not listed yet.
    if (others.length === 0) this.emit('peer-up', advert);
  }

  down(id: string): void {
    const advert = this.#adverts.get(id)?.[0];
    assert.ok(advert, `no advert for ${id}`);
    this.#adverts.delete(id);
    this.emit('peer-down', advert);
  }

  invalid(report: { fqdn: string; reason: string; id?: string }): void {
    this.emit('invalid-advert', report);
  }

  peers(): PeerAdvert[] {
    return [...this.#adverts.values()].map((list) => list[0]!);
  }

  endpoints(id: string): PeerAdvert[] {
    return [...(this.#adverts.get(id) ?? [])];
  }

  asDiscovery(): Discovery {
    return this as unknown as Discovery;
  }
}

export function advertFor(seed: number, name: string, port = 4242): PeerAdvert {
  const publicKey = seededIdentity(seed).publicKey;
  return {
    id: peerIdFromPublicKey(publicKey),
    name,
    publicKey,
    host: '192.0.2.7',
    port,
    fqdn: `${name}._meshcall._tcp.local`,
    lastSeen: 0,
  };
}
