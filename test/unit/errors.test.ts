import assert from 'node:assert/strict';
import { fromHex } from '../../crypto/bytes.js';
import { CryptoMisuseError } from '../../crypto/errors.js';
import { BridgeError } from '../../main/bridge/errors.js';
import { encodeUiFrame } from '../../main/bridge/frame-codec.js';
import { CommandError, isApiError } from '../../main/command-error.js';
import { MediaError } from '../../main/media/errors.js';
import { parseSourceSpec } from '../../main/media/settings.js';
import { MeshError } from '../../p2p/base/errors.js';
import { encodeFrame } from '../../p2p/signaling/framing.js';
import { CodedError, isCodedError } from '../../protocol/errors.js';

const MESSAGE = 'what went wrong';

/** No options at all when there is no cause, as callers without one write it. */
const given = (cause: unknown): { cause: unknown } | undefined =>
  cause === undefined ? undefined : { cause };

/** Every typed error class of crypto/, p2p/ and main/, with one code each layer really uses. */
const family = [
  {
    name: 'CryptoMisuseError',
    make: (cause?: unknown) => new CryptoMisuseError('ERR_KEY_LENGTH', MESSAGE, given(cause)),
    code: 'ERR_KEY_LENGTH',
  },
  {
    name: 'MeshError',
    make: (cause?: unknown) => new MeshError('ERR_CONNECT', MESSAGE, given(cause)),
    code: 'ERR_CONNECT',
  },
  {
    name: 'MediaError',
    make: (cause?: unknown) => new MediaError('ERR_BAD_SOURCE', MESSAGE, given(cause)),
    code: 'ERR_BAD_SOURCE',
  },
  {
    name: 'BridgeError',
    make: (cause?: unknown) => new BridgeError('ERR_BRIDGE_LISTEN', MESSAGE, given(cause)),
    code: 'ERR_BRIDGE_LISTEN',
  },
  {
    name: 'CommandError',
    make: (cause?: unknown) => new CommandError('ERR_NOT_IN_CALL', MESSAGE, given(cause)),
    code: 'ERR_NOT_IN_CALL',
  },
] as const;

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  assert.fail('expected a throw');
}

describe('the error family', () => {
  for (const member of family) {
    describe(member.name, () => {
      it('is a CodedError and an Error, with its stable code, name and message', () => {
        const err = member.make();
        assert.ok(err instanceof CodedError);
        assert.ok(err instanceof Error);
        assert.ok(isCodedError(err));
        assert.equal(err.code, member.code);
        assert.equal(err.name, member.name);
        assert.equal(err.message, MESSAGE);
        assert.equal(String(err), `${member.name}: ${MESSAGE}`);
        assert.ok(err.stack?.startsWith(`${member.name}: ${MESSAGE}\n`));
      });

      it('keeps the cause it was given, and has none when given none', () => {
        const cause = new Error('underneath');
        assert.equal(member.make(cause).cause, cause);
        assert.equal('cause' in member.make(), false);
      });
    });
  }

  it('isCodedError is false for plain errors and look-alikes', () => {
    assert.equal(isCodedError(new Error('x')), false);
    assert.equal(isCodedError(Object.assign(new Error('x'), { code: 'ERR_CONNECT' })), false);
    assert.equal(isCodedError({ code: 'ERR_CONNECT', message: 'x', name: 'MeshError' }), false);
    assert.equal(isCodedError('ERR_CONNECT'), false);
    assert.equal(isCodedError(null), false);
    assert.equal(isCodedError(undefined), false);
  });

  it('the base class works on its own, named CodedError', () => {
    const err = new CodedError('ERR_SOMETHING', 'text');
    assert.equal(err.name, 'CodedError');
    assert.equal(err.code, 'ERR_SOMETHING');
    assert.ok(isCodedError(err));
  });

  it('isApiError: session, mesh and media codes reach the API; crypto and bridge codes do not', () => {
    const reported = family.filter((member) => isApiError(member.make())).map((m) => m.name);
    assert.deepEqual(reported, ['MeshError', 'MediaError', 'CommandError']);
    assert.equal(isApiError(new CodedError('ERR_NOT_AN_API_CODE', 'x')), false);
    assert.equal(isApiError(Object.assign(new Error('x'), { code: 'ERR_CONNECT' })), false);
  });

  it('what each layer really throws is one CodedError check away', () => {
    const thrown = [
      thrownBy(() => fromHex('zz')),
      thrownBy(() => encodeFrame(new Uint8Array(10), 4)),
      thrownBy(() => parseSourceSpec('webcam')),
      thrownBy(() =>
        encodeUiFrame({
          kind: 'remote',
          peer: 'not-an-id',
          frame: 1,
          width: 2,
          height: 2,
          jpeg: new Uint8Array(0),
        }),
      ),
    ];
    const codes = thrown.map((err) => (isCodedError(err) ? err.code : `not coded: ${String(err)}`));
    assert.deepEqual(codes, [
      'ERR_BAD_ENCODING',
      'ERR_FRAME_TOO_LARGE',
      'ERR_BAD_SOURCE',
      'ERR_BRIDGE_FRAME',
    ]);
  });
});
