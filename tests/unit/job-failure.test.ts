import { describe, expect, it } from 'vitest';
import { MAX_FAIL_REASON, asError, failureText } from '../../jobs/backends/failure.ts';

// Whatever a job throws becomes bounded, readable text (the store's fail_reason) or an Error
// carrying it (what the queue hands Agenda).

describe('failureText', () => {
  const circular: Record<string, unknown> = { code: 'E_LOOP' };
  circular.self = circular;
  const throwingGetter = Object.defineProperty({}, 'message', { get() { throw new Error('no'); }, enumerable: true });
  const throwingJson = { toJSON() { throw new Error('no'); } };

  it.each([
    ['a string', 'disk full', 'disk full'],
    ['an Error', new Error('disk full'), 'disk full'],
    ['an Error without a message', new TypeError(), 'TypeError'],
    ['an object with a message and code', { message: 'disk full', code: 'ENOSPC' }, 'ENOSPC: disk full'],
    ['an object with a message that names its code', { message: 'ENOSPC: disk full', code: 'ENOSPC' }, 'ENOSPC: disk full'],
    ['a plain object', { code: 'E_PLAIN' }, '{"code":"E_PLAIN"}'],
    ['an empty object (a forked child lost its error)', {}, '{} (an object without a message)'],
    ['a number', 42, '42'],
    ['a BigInt inside an object', { n: 10n }, '{"n":"10n"}'],
    ['a symbol', Symbol('gone'), 'Symbol(gone)'],
    ['null', null, 'no error given (null)'],
    ['undefined', undefined, 'no error given (undefined)'],
    ['a circular object', circular, '{"code":"E_LOOP","self":"[Circular]"}'],
    ['an object whose message getter throws', throwingGetter, '[object Object]'],
    ['an object whose toJSON throws', throwingJson, '[object Object]'],
  ])('%s', (_, reason, text) => {
    expect(failureText(reason)).toBe(text);
  });

  it('bounds a huge reason and says how much it left out', () => {
    const text = failureText('x'.repeat(1_000_000));
    expect(text.length).toBe(MAX_FAIL_REASON);
    expect(text).toMatch(/^x+… \(998\d{3} more characters\)$/);
    expect(Number(/\((\d+) more/.exec(text)![1]) + text.indexOf('…')).toBe(1_000_000);
    expect(failureText({ big: 'y'.repeat(100_000) }).length).toBe(MAX_FAIL_REASON);
    expect(failureText('z'.repeat(MAX_FAIL_REASON))).toBe('z'.repeat(MAX_FAIL_REASON));
  });

  it('does not cut a character outside the BMP in half', () => {
    for (const pad of [0, 1]) {
      const text = failureText('a'.repeat(pad) + '😀'.repeat(MAX_FAIL_REASON));
      expect(text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
      expect(text.length).toBeLessThanOrEqual(MAX_FAIL_REASON);
    }
  });
});

describe('asError', () => {
  it('keeps an Error as it is', () => {
    const e = new RangeError('out');
    expect(asError(e)).toBe(e);
  });

  it('turns anything else into an Error whose message is its failure text and whose cause is it', () => {
    const thrown = { code: 'E_PLAIN' };
    const e = asError(thrown);
    expect(e).toBeInstanceOf(Error);
    expect(e.message).toBe('{"code":"E_PLAIN"}');
    expect(e.cause).toBe(thrown);
    expect(asError(null).message).toBe('no error given (null)');
  });
});
