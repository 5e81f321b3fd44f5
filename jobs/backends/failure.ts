// What a failed job says about its failure. Agenda stores whatever the job threw as failReason
// (`job.fail(reason)` keeps anything that is not an Error as it is), and a forked child's error
// arrives as a plain object. A store that cannot bind that value (better-sqlite3 refuses objects,
// a MySQL TEXT column refuses more than 64 KB) fails the final state save, which Agenda swallows:
// the job then keeps its lock and is neither counted as failed nor retried. So every failure becomes
// bounded, readable text before it reaches a store, here and nowhere else.

/** Room for a stack-less message and some context; far below MySQL TEXT's 65,535 bytes in utf8mb4. */
export const MAX_FAIL_REASON = 2000;

function bounded(text: string): string {
  if (text.length <= MAX_FAIL_REASON) return text;
  const note = (left: number) => `… (${left} more characters)`;
  let keep = MAX_FAIL_REASON - note(text.length).length;
  // the note is shorter when the count has fewer digits; use the room
  while (keep + 1 + note(text.length - keep - 1).length <= MAX_FAIL_REASON) keep++;
  // never half a surrogate pair (an emoji cut in two is not valid UTF-8 for MySQL)
  if (/[\uD800-\uDBFF]/.test(text[keep - 1]!)) keep--;
  return text.slice(0, keep) + note(text.length - keep);
}

/** JSON that never throws: cycles and BigInts are written as text, anything else unserialisable as its tag. */
function safeJson(value: object): string {
  const seen = new WeakSet<object>();
  try {
    const json = JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === 'bigint') return `${v}n`;
      if (v !== null && typeof v === 'object') {
        if (seen.has(v)) return '[Circular]';
        seen.add(v);
      }
      return v;
    });
    return json ?? Object.prototype.toString.call(value);
  } catch {
    // a throwing getter or toJSON
    return Object.prototype.toString.call(value);
  }
}

function describeFailure(reason: unknown): string {
  if (typeof reason === 'string') return reason;
  if (reason == null) return `no error given (${String(reason)})`;
  if (typeof reason !== 'object') return String(reason); // number, boolean, bigint, symbol
  let message: unknown;
  let code: unknown;
  try {
    ({ message, code } = reason as { message?: unknown; code?: unknown });
  } catch {
    // a Proxy or getter that throws
  }
  if (typeof message === 'string' && message !== '') {
    return (typeof code === 'string' || typeof code === 'number') && !message.includes(String(code)) ? `${code}: ${message}` : message;
  }
  if (reason instanceof Error) return reason.name;
  const json = safeJson(reason);
  return json === '{}' ? '{} (an object without a message)' : json;
}

/** A failure reason as a store keeps it: text, at most MAX_FAIL_REASON characters. Never throws. */
export function failureText(reason: unknown): string {
  try {
    return bounded(describeFailure(reason));
  } catch {
    return 'unreadable failure';
  }
}

/** What was thrown, as an Error Agenda can record (its message is failureText; the original is its cause). */
export function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(failureText(thrown), { cause: thrown });
}
