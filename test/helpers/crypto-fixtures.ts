/*
 * Shared fixtures for the crypto-*.test.ts files. Named like a test file only because the crypto
 * tests live under that pattern; mocha loads it and finds no tests.
 */
import assert from 'node:assert/strict';
import {
  CryptoMisuseError,
  fromHex,
  HandshakeInitiator,
  HandshakeResponder,
  identityFromSeed,
  type CryptoMisuseCode,
  type HandshakeInitiatorOptions,
  type IdentityKeys,
  type RandomSource,
  type SessionKeys,
  type TextFileIO,
} from '../../crypto/index.js';

export interface MemoryFile extends TextFileIO {
  text: string | null;
  writes: number;
}

/** X25519 points of small order (and encodings of them): any scalar times one is all zeros. */
export const LOW_ORDER_POINTS = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map(fromHex);

export function memoryFile(initial: string | null = null): MemoryFile {
  const file: MemoryFile = {
    text: initial,
    writes: 0,
    read: () => Promise.resolve(file.text),
    write: (text) => {
      file.text = text;
      file.writes++;
      return Promise.resolve();
    },
  };
  return file;
}

/** Identity whose seed is 32 copies of `byte`: stable across runs, distinct per byte. */
export function seededIdentity(byte: number): IdentityKeys {
  return identityFromSeed(new Uint8Array(32).fill(byte));
}

/** Randomness that always yields `byte`, for reproducible ephemerals. */
export function fixedRandom(byte: number): RandomSource {
  return (length) => new Uint8Array(length).fill(byte);
}

export function throwsMisuse(action: () => unknown, code: CryptoMisuseCode): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(
      error instanceof CryptoMisuseError,
      `expected CryptoMisuseError, got ${String(error)}`,
    );
    assert.equal(error.code, code);
    assert.equal(error.name, 'CryptoMisuseError');
    return true;
  });
}

export async function rejectsMisuse(
  action: () => Promise<unknown>,
  code: CryptoMisuseCode,
): Promise<void> {
  await assert.rejects(action, (error: unknown) => {
    assert.ok(
      error instanceof CryptoMisuseError,
      `expected CryptoMisuseError, got ${String(error)}`,
    );
    assert.equal(error.code, code);
    return true;
  });
}

export interface HandshakeRun {
  hello: Uint8Array;
  reply: Uint8Array;
  finish: Uint8Array;
  initiator: SessionKeys;
  responder: SessionKeys;
}

/** Runs a whole exchange and fails the test if any step is rejected. */
export function runHandshake(
  initiatorKeys: IdentityKeys,
  responderKeys: IdentityKeys,
  options: {
    initiator?: HandshakeInitiatorOptions;
    responderRandom?: RandomSource;
  } = {},
): HandshakeRun {
  const initiator = new HandshakeInitiator(initiatorKeys, options.initiator);
  const responder = new HandshakeResponder(responderKeys, { random: options.responderRandom });
  const hello = initiator.start();
  const replied = responder.receiveHello(hello);
  assert.ok(replied.ok, `hello rejected: ${replied.ok ? '' : replied.reason}`);
  const answered = initiator.receiveReply(replied.reply);
  assert.ok(answered.ok, `reply rejected: ${answered.ok ? '' : answered.reason}`);
  const finished = responder.receiveFinish(answered.finish);
  assert.ok(finished.ok, `finish rejected: ${finished.ok ? '' : finished.reason}`);
  return {
    hello,
    reply: replied.reply,
    finish: answered.finish,
    initiator: answered.session,
    responder: finished.session,
  };
}
