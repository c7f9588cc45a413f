import assert from 'node:assert/strict';
import type { Session } from '../../main/session.js';
import type { Call } from '../../p2p/call/call.js';
import type { LogFields, Logger } from '../../p2p/base/logger.js';
import { TypedEmitter } from '../../p2p/base/typed-emitter.js';
import type { PeerLink } from '../../p2p/link/peer-link.js';

interface TickerEvents {
  tick: [number];
  done: [];
}

/** The smallest real emitter: emit() is protected, so only the owner reports its events. */
class Ticker extends TypedEmitter<TickerEvents> {
  tick(n: number): boolean {
    return this.emit('tick', n);
  }

  done(): boolean {
    return this.emit('done');
  }

  /** Misuse from inside the owner; compiled (so tsc checks it), never called. */
  protected misuse(): void {
    // @ts-expect-error -- a tick carries a number, not a string
    this.emit('tick', 'seven');
    // @ts-expect-error -- a tick carries exactly one number
    this.emit('tick');
    // @ts-expect-error -- 'tock' is not an event of Ticker
    this.emit('tock', 1);
  }
}

/**
 * The compile-time half: never runs, only type-checks. Each line below is a mistake that
 * must fail the build; `@ts-expect-error` itself fails the build if the mistake ever
 * compiles, so `npm run build` proves the emitters reject it.
 */
function _typeChecksOnly(session: Session, link: PeerLink, call: Call): void {
  // @ts-expect-error -- misspelled 'frame' events: Session has no 'fraem'
  session.on('fraem', () => undefined);
  // @ts-expect-error -- misspelled 'open'
  link.on('opne', () => undefined);
  // @ts-expect-error -- misspelled 'member-joined'
  call.on('member-jioned', () => undefined);
  // @ts-expect-error -- misspelled names are refused by once() and off() too
  link.once('clsoe', () => undefined);
  // @ts-expect-error -- and by off()
  call.off('emtpy', () => undefined);
  // @ts-expect-error -- a link's media payload is bytes, not text
  link.on('media', (bytes: string) => bytes.length);
  // @ts-expect-error -- only the owner emits: emit() is protected
  link.emit('open');

  // The correctly spelled calls compile, so the errors above are about the names and types.
  session.on('event', (event) => event.event);
  link.on('open', () => undefined);
  call.on('member-joined', (member) => member.id);
}

class RecordingLogger implements Logger {
  readonly errors: { message: string; fields: LogFields | undefined }[] = [];
  readonly debug = (): void => undefined;
  readonly info = (): void => undefined;
  readonly warn = (): void => undefined;
  error(message: string, fields?: LogFields): void {
    this.errors.push({ message, fields });
  }
}

describe('TypedEmitter', () => {
  it('calls listeners in the order they were added, with the payload', () => {
    const ticker = new Ticker();
    const calls: string[] = [];
    ticker.on('tick', (n) => calls.push(`a${n}`));
    ticker.on('tick', (n) => calls.push(`b${n}`));
    ticker.on('tick', (n) => calls.push(`c${n}`));
    assert.equal(ticker.tick(1), true);
    ticker.tick(2);
    assert.deepEqual(calls, ['a1', 'b1', 'c1', 'a2', 'b2', 'c2']);
  });

  it('reports whether anyone listened', () => {
    const ticker = new Ticker();
    assert.equal(ticker.done(), false);
    ticker.on('tick', () => undefined);
    assert.equal(ticker.done(), false);
    assert.equal(ticker.tick(1), true);
  });

  it('once() runs a listener for the next event only', () => {
    const ticker = new Ticker();
    const seen: number[] = [];
    ticker.once('tick', (n) => seen.push(n));
    assert.equal(ticker.listenerCount('tick'), 1);
    ticker.tick(1);
    ticker.tick(2);
    assert.deepEqual(seen, [1]);
    assert.equal(ticker.listenerCount('tick'), 0);
  });

  it('off() removes one registration and leaves the others', () => {
    const ticker = new Ticker();
    const seen: string[] = [];
    const a = (n: number): void => void seen.push(`a${n}`);
    const b = (n: number): void => void seen.push(`b${n}`);
    ticker.on('tick', a).on('tick', b);
    ticker.off('tick', a);
    ticker.off('tick', a); // a second off() is harmless
    ticker.off('done', () => undefined); // so is removing from an event without listeners
    ticker.tick(1);
    assert.deepEqual(seen, ['b1']);
    assert.equal(ticker.listenerCount('tick'), 1);
  });

  it('off() inside a listener does not skip the listeners after it in this emit', () => {
    const ticker = new Ticker();
    const seen: string[] = [];
    const b = (): void => void seen.push('b');
    ticker.on('tick', () => {
      seen.push('a');
      ticker.off('tick', b);
    });
    ticker.on('tick', b);
    ticker.tick(1);
    ticker.tick(2);
    assert.deepEqual(seen, ['a', 'b', 'a']);
  });

  it('logs a listener that throws, runs the others, and keeps working', () => {
    const logger = new RecordingLogger();
    const ticker = new Ticker({ logger, name: 'ticker' });
    const seen: string[] = [];
    ticker.on('tick', (n) => seen.push(`before${n}`));
    ticker.on('tick', (n) => {
      throw new Error(`listener bug ${n}`);
    });
    ticker.on('tick', (n) => seen.push(`after${n}`));

    assert.doesNotThrow(() => ticker.tick(1));
    assert.deepEqual(seen, ['before1', 'after1']);
    assert.deepEqual(logger.errors, [
      {
        message: 'event listener failed',
        fields: { emitter: 'ticker', event: 'tick', reason: 'listener bug 1' },
      },
    ]);

    // The emitter is not broken by it: later events reach every listener again.
    ticker.on('done', () => seen.push('done'));
    assert.equal(ticker.tick(2), true);
    ticker.done();
    assert.deepEqual(seen, ['before1', 'after1', 'before2', 'after2', 'done']);
    assert.equal(logger.errors.length, 2);
    assert.equal(logger.errors[1]?.fields?.reason, 'listener bug 2');
  });

  it('names the emitter after its class when not told otherwise', () => {
    const logger = new RecordingLogger();
    const ticker = new Ticker({ logger });
    ticker.once('done', () => {
      throw new Error('boom');
    });
    ticker.done();
    assert.equal(logger.errors[0]?.fields?.emitter, 'Ticker');
    assert.equal(ticker.listenerCount('done'), 0);
  });
});
