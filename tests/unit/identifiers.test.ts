import { describe, expect, it } from 'vitest';
import { accountColumn, identifierKey, normalizeIdentifier } from '../../api/services/accounts/identifiers.ts';
import { visibleLength } from '../../api/text.ts';

// One form for what customers type (api/services/accounts/identifiers.ts, api/text.ts).
describe('identifiers', () => {
  it('folds compatibility forms and drops invisible characters', () => {
    for (const s of ['ｍｄａｖｅ０１', 'mdave01\u200b', '\ufeffmd\u200cave\u200d01\u2060', ' mdave01\u3000', 'md\u00adave01']) expect(normalizeIdentifier(s), JSON.stringify(s)).toBe('mdave01');
    expect(normalizeIdentifier('１３８００１３８０００')).toBe('13800138000');
    // accents are letters, not decoration: kept, so 'mdävé01' stays another name
    expect(normalizeIdentifier('mdävé01')).toBe('mdävé01');
  });

  it('keys case-folded', () => {
    expect(identifierKey('ＭＤａｖｅ01')).toBe('mdave01');
    expect(identifierKey('STRASSE')).toBe(identifierKey('straße'));
    expect(identifierKey('Victim@Example.COM\u200b')).toBe('victim@example.com');
  });

  it('looks up only what a rule could have stored', () => {
    expect(accountColumn('13800138000')).toBe('mobile');
    expect(accountColumn('mdave01')).toBe('username');
    expect(accountColumn('mdävé01')).toBeNull();
    expect(accountColumn('mdave01 ')).toBeNull(); // MariaDB's PAD SPACE would match it
    expect(accountColumn('a'.repeat(21))).toBeNull();
  });

  it('counts the characters that show', () => {
    expect(visibleLength('\u200b'.repeat(5))).toBe(0);
    expect(visibleLength('\u3164\uffa0\u115f\u1160')).toBe(0); // Hangul fillers
    expect(visibleLength('好评好评好')).toBe(5);
    expect(visibleLength('ab\u200bc')).toBe(3);
  });
});
