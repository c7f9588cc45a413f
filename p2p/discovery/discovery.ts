import { Bonjour } from 'bonjour-service';
import type { Browser, Service } from 'bonjour-service';
import { toBase64 } from '../../crypto/index.js';
import { errorText } from '../base/errors.js';
import { PROTOCOL_VERSION } from '../base/limits.js';
import type { Logger } from '../base/logger.js';
import { silentLogger } from '../base/logger.js';
import { TypedEmitter } from '../base/typed-emitter.js';
import { parseAdvert, type PeerAdvert } from './advert.js';

export type { PeerAdvert } from './advert.js';

export const SERVICE_TYPE = 'meshcall';

/**
 * Bounds on the adverts kept. Anyone on the LAN can announce as many as they like, each a
 * dial candidate; a real node has one advert per address. New adverts beyond a bound are
 * ignored (and counted) until old ones expire, so a flood cannot evict the genuine ones.
 */
export const ADVERT_LIMITS = { perId: 4, perSource: 8, total: 256 } as const;

export interface DiscoveryEvents {
  'peer-up': [PeerAdvert];
  'peer-down': [PeerAdvert];
  /** An advert for our service type that failed validation; ignored, but counted. */
  'invalid-advert': [{ fqdn: string; reason: string; id?: string }];
}

export interface DiscoveryOptions {
  id: string;
  name: string;
  publicKey: Uint8Array;
  port: number;
  logger?: Logger;
  /** How often to ask who is there; every answer refreshes a peer. */
  queryIntervalMs?: number;
  /** A peer unseen for this long is dropped (a crashed node sends no goodbye). */
  expireAfterMs?: number;
}

/**
 * Publishes this node and keeps a live list of the others. bonjour-service's Browser
 * only forgets a service on a goodbye or when its PTR TTL (8 hours) runs out, and never
 * refreshes `lastSeen` for services it already knows, so liveness is tracked here: we
 * query every few seconds and drop adverts nobody has repeated for `expireAfterMs`.
 */
export class Discovery extends TypedEmitter<DiscoveryEvents> {
  readonly stats = { invalidAdverts: 0, droppedAdverts: 0 };
  readonly #options: Required<Omit<DiscoveryOptions, 'logger'>> & { logger: Logger };
  readonly #bonjour: Bonjour;
  #browser: Browser | null = null;
  #published: Service | null = null;
  #renaming: Promise<void> = Promise.resolve();
  /** fqdn → advert; several adverts may claim one id (a rogue copying a key), all are kept. */
  readonly #adverts = new Map<string, PeerAdvert>();
  #timer: NodeJS.Timeout | null = null;
  #closed = false;
  readonly #onResponse = (packet: MdnsPacket): void => this.#refresh(packet);

  constructor(options: DiscoveryOptions) {
    super({ logger: options.logger });
    this.#options = {
      queryIntervalMs: 2000,
      expireAfterMs: 7000,
      logger: silentLogger,
      ...options,
    };
    this.#bonjour = new Bonjour({}, (err: unknown) => {
      this.#options.logger.warn('mDNS error', { reason: errorText(err) });
    });
  }

  start(): void {
    if (this.#closed || this.#browser) return;
    this.#publish();
    this.#mdns()?.on('response', this.#onResponse);
    this.#startBrowser();
    this.#timer = setInterval(() => this.#tick(), this.#options.queryIntervalMs);
  }

  /**
   * Announces a new name. bonjour-service cannot change a published TXT record (its
   * re-announcements repeat the records of the first publish), so the old advert says goodbye
   * and a new one goes out at once: peers drop us and list us again under the new name.
   */
  rename(name: string): Promise<void> {
    this.#options.name = name;
    // One at a time: a second rename while the first's goodbye is out must not publish twice.
    // A rename that failed must not stop the ones after it.
    this.#renaming = this.#renaming.catch(() => undefined).then(() => this.#republish());
    return this.#renaming;
  }

  #republish(): Promise<void> {
    const published = this.#published;
    if (this.#closed || !published) return Promise.resolve();
    return new Promise((resolve) => {
      // Typed as a bare CallableFunction by bonjour-service; it is stop(callback?).
      const stop = published.stop as (callback: () => void) => void;
      stop(() => {
        if (!this.#closed) this.#publish();
        resolve();
      });
    });
  }

  #publish(): void {
    const { id, name, publicKey, port } = this.#options;
    this.#published = this.#bonjour.publish({
      name: id,
      type: SERVICE_TYPE,
      port,
      host: `meshcall-${id.slice(0, 12)}.local`,
      // Instance names embed the peer id, so a name conflict means a copied advert, not a
      // collision to resolve; skipping the probe saves ~750 ms of startup.
      probe: false,
      disableIPv6: true,
      txt: { v: String(PROTOCOL_VERSION), id, name, pk: toBase64(publicKey), port: String(port) },
    });
  }

  /** Every live peer, one entry per id (the most recently seen advert). */
  peers(): PeerAdvert[] {
    const byId = new Map<string, PeerAdvert>();
    for (const advert of this.#adverts.values()) {
      const current = byId.get(advert.id);
      if (!current || advert.lastSeen > current.lastSeen) byId.set(advert.id, advert);
    }
    return [...byId.values()];
  }

  /** All adverts claiming `id`, most recently seen first. */
  endpoints(id: string): PeerAdvert[] {
    return [...this.#adverts.values()]
      .filter((advert) => advert.id === id)
      .sort((a, b) => b.lastSeen - a.lastSeen);
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#mdns()?.off('response', this.#onResponse);
    this.#browser?.stop();
    this.removeAllListeners();
    // unpublishAll sends the goodbye so others drop us at once rather than after expiry.
    return new Promise((resolve) => {
      const done = setTimeout(resolve, 1000);
      this.#bonjour.unpublishAll(() => {
        this.#bonjour.destroy(() => {
          clearTimeout(done);
          resolve();
        });
      });
    });
  }

  #mdns(): MdnsSocket | null {
    // bonjour-service keeps its multicast-dns socket on a private field; we only listen to it.
    const server = (this.#bonjour as unknown as { server?: { mdns?: MdnsSocket } }).server;
    return server?.mdns ?? null;
  }

  #startBrowser(): void {
    const browser = this.#bonjour.find({ type: SERVICE_TYPE, protocol: 'tcp' });
    browser.on('up', (service) => this.#onUp(service));
    browser.on('txt-update', (service) => this.#onUp(service));
    browser.on('srv-update', (service) => this.#onUp(service));
    browser.on('down', (service) => this.#remove(service.fqdn, 'goodbye'));
    this.#browser = browser;
  }

  #tick(): void {
    if (this.#closed) return;
    const now = Date.now();
    let expired = false;
    for (const advert of [...this.#adverts.values()]) {
      if (now - advert.lastSeen > this.#options.expireAfterMs) {
        this.#remove(advert.fqdn, 'expired');
        expired = true;
      }
    }
    if (expired) {
      // The Browser still lists what we expired and would never report it "up" again if it
      // came back; a fresh browser starts from an empty list.
      this.#browser?.stop();
      this.#browser?.removeAllListeners();
      this.#startBrowser();
    } else {
      this.#browser?.update();
    }
  }

  #onUp(service: Service): void {
    if (this.#closed) return;
    const parsed = parseAdvert(service, this.#options, Date.now());
    if (!parsed.ok) {
      if (parsed.reason === 'self') return;
      this.stats.invalidAdverts++;
      this.#options.logger.debug('ignored mDNS advert', {
        fqdn: service.fqdn,
        reason: parsed.reason,
      });
      this.emit('invalid-advert', {
        fqdn: service.fqdn,
        reason: parsed.reason,
        ...(parsed.id ? { id: parsed.id } : {}),
      });
      return;
    }
    const advert = parsed.advert;
    const previous = this.#adverts.get(advert.fqdn);
    const full = this.#limitReached(advert);
    if (full) {
      this.stats.droppedAdverts++;
      this.#options.logger.debug('mDNS advert over the limit', { fqdn: advert.fqdn, full });
      return;
    }
    const knownId = this.peers().some((peer) => peer.id === advert.id);
    this.#adverts.set(advert.fqdn, advert);
    if (previous && previous.id !== advert.id) this.#announceIfGone(previous);
    // A known peer whose advert changed its name (a TXT update) is listed again, renamed.
    if (!knownId || (previous && previous.name !== advert.name)) this.emit('peer-up', advert);
  }

  /** Which bound a new advert would break (an advert replacing itself counts once). */
  #limitReached(advert: PeerAdvert): string | null {
    let total = 0;
    let sameId = 0;
    let sameSource = 0;
    for (const [fqdn, other] of this.#adverts) {
      if (fqdn === advert.fqdn) continue;
      total++;
      if (other.id === advert.id) sameId++;
      if (other.host === advert.host) sameSource++;
    }
    if (sameId >= ADVERT_LIMITS.perId) return 'per id';
    if (sameSource >= ADVERT_LIMITS.perSource) return 'per source';
    if (total >= ADVERT_LIMITS.total) return 'total';
    return null;
  }

  #refresh(packet: MdnsPacket): void {
    const now = Date.now();
    for (const record of [...(packet.answers ?? []), ...(packet.additionals ?? [])]) {
      if (record.ttl === 0 || (record.type !== 'SRV' && record.type !== 'TXT')) continue;
      for (const [fqdn, advert] of this.#adverts) {
        if (record.name.toLowerCase() === fqdn.toLowerCase()) {
          this.#adverts.set(fqdn, { ...advert, lastSeen: now });
        }
      }
    }
  }

  #remove(fqdn: string, why: string): void {
    const advert = this.#adverts.get(fqdn);
    if (!advert) return;
    this.#adverts.delete(fqdn);
    this.#options.logger.debug('mDNS advert removed', { id: advert.id, why });
    this.#announceIfGone(advert);
  }

  #announceIfGone(advert: PeerAdvert): void {
    if (!this.peers().some((peer) => peer.id === advert.id)) this.emit('peer-down', advert);
  }
}

interface MdnsRecord {
  name: string;
  type: string;
  ttl?: number;
}
interface MdnsPacket {
  answers?: MdnsRecord[];
  additionals?: MdnsRecord[];
}
interface MdnsSocket {
  on(event: 'response', listener: (packet: MdnsPacket) => void): unknown;
  off(event: 'response', listener: (packet: MdnsPacket) => void): unknown;
}
