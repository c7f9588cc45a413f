import nacl from 'tweetnacl';
import { Opener, Sealer, fromBase64, toBase64 } from '../../crypto/index.js';

export interface MediaKeyAnnouncement {
  keyId: number;
  key: string;
}

/**
 * This node's own media key: every outgoing frame is sealed once with it, whatever the
 * number of members. Replaced whenever the membership changes, so a member who left
 * cannot read what follows and one who joins cannot read what came before.
 */
export class OwnMediaKey {
  #keyId = 0;
  #key: Uint8Array = new Uint8Array(32);
  #sealer: Sealer;

  constructor() {
    this.#sealer = this.#next();
  }

  /** Draws a fresh key (and a fresh key id, so receivers never confuse the two). */
  rotate(): MediaKeyAnnouncement {
    this.#sealer = this.#next();
    return this.announcement();
  }

  announcement(): MediaKeyAnnouncement {
    return { keyId: this.#keyId, key: toBase64(this.#key) };
  }

  get keyId(): number {
    return this.#keyId;
  }

  seal(plaintext: Uint8Array): Uint8Array {
    return this.#sealer.seal(plaintext);
  }

  #next(): Sealer {
    const previous = this.#keyId;
    let keyId = previous;
    while (keyId === previous) {
      const bytes = nacl.randomBytes(4);
      keyId = new DataView(bytes.buffer).getUint32(0);
    }
    this.#key.fill(0);
    this.#keyId = keyId;
    this.#key = nacl.randomBytes(32);
    return new Sealer(this.#key, keyId);
  }
}

/**
 * The media keys one member handed us. The previous key is kept next to the newest so
 * frames still in flight during a rotation open; anything older is forgotten.
 */
export class PeerMediaKeys {
  readonly opener = new Opener({ windowSize: 1024 });
  readonly #order: number[] = [];

  /** Returns false for a key id we already hold (a repeated announcement changes nothing). */
  add(announcement: MediaKeyAnnouncement): boolean {
    if (this.opener.hasKey(announcement.keyId)) return false;
    const key = fromBase64(announcement.key);
    this.opener.addKey(announcement.keyId, key);
    key.fill(0);
    this.#order.push(announcement.keyId);
    while (this.#order.length > 2) {
      const oldest = this.#order.shift();
      if (oldest !== undefined) this.opener.removeKey(oldest);
    }
    return true;
  }
}
