import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fieldErrors } from '../../api/validation.ts';

// The 400's `fields` name what is wrong: a strict body's unknown keys each by name, nested ones by
// their path, rather than `_` for the whole body.
describe('fieldErrors', () => {
  const body = z.object({ name: z.string(), specs: z.array(z.object({ spec_id: z.number() }).strict()).optional() }).strict();
  const errors = (v: unknown) => fieldErrors(body.safeParse(v).error!);

  it('names each unknown key, at its path', () => {
    expect(errors({ name: 'x', is_staff: false, is_superuser: true })).toEqual({ is_staff: '不支持的字段', is_superuser: '不支持的字段' });
    expect(errors({ name: 'x', specs: [{ spec_id: 1 }, { spec_id: 2, option: 3 }] })).toEqual({ 'specs.1.option': '不支持的字段' });
  });

  it('keeps the first message of a field, and `_` for the body itself', () => {
    expect(errors({ name: 1 })).toEqual({ name: expect.any(String) });
    expect(errors([])).toEqual({ _: expect.any(String) });
  });
});
