import { visibleText } from '../../text.ts';

// Identifiers customers type — usernames, mobiles, email addresses — in one form wherever they are
// stored, looked up, counted or throttled. MariaDB's utf8mb4_unicode_ci compares 'mdävé01',
// 'ｍｄａｖｅ０１' and 'mdave01' + U+200B equal to 'mdave01'; SQLite's NOCASE does not. So the shop
// decides itself: NFKC and no invisible characters (api/text.ts) before anything is stored or
// looked up, and a lookup only for strings the rules could have stored — never one where the
// database's collation would be the judge.

export const MOBILE = /^1[3-9]\d{9}$/;
/** What a username may consist of (the registration rule's alphabet; its length is checked there). */
const USERNAME_CHARS = /^[A-Za-z0-9_-]{1,20}$/;

/** The form identifiers are stored and looked up in: NFKC, no invisible characters, trimmed. */
export function normalizeIdentifier(s: string): string {
  return visibleText(s).trim();
}

/** For schemas: strings normalised, anything else left for the schema to refuse. */
export const normalizedInput = (v: unknown) => (typeof v === 'string' ? normalizeIdentifier(v) : v);

/**
 * A key for counting (throttles, send limits): normalised and case-folded — upper- then lower-case
 * folds ß with SS and ς with σ as Unicode's full case folding does.
 */
export function identifierKey(s: string): string {
  return normalizeIdentifier(s).toUpperCase().toLowerCase().normalize('NFKC');
}

/**
 * The column a typed account names: a mobile, a username, or — for anything no registration could
 * have stored — none, so the database's collation never matches it to someone else's account.
 */
export function accountColumn(normalized: string): 'mobile' | 'username' | null {
  if (MOBILE.test(normalized)) return 'mobile';
  if (USERNAME_CHARS.test(normalized)) return 'username';
  return null;
}
