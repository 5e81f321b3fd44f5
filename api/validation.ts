import { z } from 'zod';
import { ValidationError, type FieldErrors } from './errors.ts';
import { decimalRangePattern, LIMITS, parseDecimalInt } from './numbers.ts';

// One way to turn a schema failure into the API's error shape: the first message per field.
export function fieldErrors(err: z.ZodError): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of err.issues) {
    // a strict object's unknown keys are named each as a field of their own (not `_` for the object)
    if (issue.code === 'unrecognized_keys') for (const key of issue.keys) fields[[...issue.path, key].join('.')] ??= '不支持的字段';
    else fields[issue.path.join('.') || '_'] ??= issue.message;
  }
  return fields;
}

/** Parsed value, or a ValidationError (400) naming each bad field. */
export function validate<T>(schema: z.ZodType<T>, value: unknown, message: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new ValidationError(message, fieldErrors(r.error));
  return r.data;
}

/**
 * A whole number written in decimal digits (api/numbers.ts), as a schema: path and query
 * parameters of the API and the CLI's numeric options both use these, so '0x10', '1e0', '+1' and ''
 * are refused the same way everywhere. The pattern is the range itself (decimalRangePattern), so
 * the OpenAPI document states the bounds the API enforces: a text parameter has no minimum/maximum.
 */
export function decimalInt({ min, max }: { min: number; max: number }, message = min === 0 ? '必须是非负整数' : '必须是正整数') {
  const range = `必须在 ${min} 到 ${max} 之间`;
  return z
    .string({ message })
    .regex(new RegExp(decimalRangePattern(min, max)), {
      error: (issue) => {
        const r = parseDecimalInt(issue.input, min, max);
        return !r.ok && r.reason === 'range' ? range : message;
      },
    })
    .transform((raw) => Number(raw))
    .meta({ description: `${min}–${max}, decimal digits only` });
}

export const idSchema = decimalInt(LIMITS.id);
export const pageSchema = decimalInt(LIMITS.page);
export const pageSizeSchema = decimalInt(LIMITS.pageSize, `必须是 ${LIMITS.pageSize.min}-${LIMITS.pageSize.max} 的整数`);
export const stockSchema = decimalInt(LIMITS.stock);
export const sequenceSchema = decimalInt(LIMITS.sequence);
export const skuCountSchema = decimalInt(LIMITS.skuCount);
