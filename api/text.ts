// What a reader sees of a string. Zero-width and other invisible characters (format characters such
// as U+200B–U+200D, U+2060, U+FEFF, and the rest of Unicode's default-ignorables such as the Hangul
// fillers) are dropped, and compatibility forms folded (NFKC: full-width ｍ is m, ① is 1), so that
// two strings that look alike compare alike and a length counts what shows.

const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;

/** NFKC without invisible characters (stripped on both sides of NFKC: it can create some, e.g. ﾠ → U+3164). */
export function visibleText(s: string): string {
  return s.replace(INVISIBLE, '').normalize('NFKC').replace(INVISIBLE, '');
}

/** Characters (code points) that show, after trimming. */
export function visibleLength(s: string): number {
  return [...visibleText(s).trim()].length;
}
