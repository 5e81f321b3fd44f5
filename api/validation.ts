import type { z } from 'zod';
import { ValidationError, type FieldErrors } from './errors.ts';

// One way to turn a schema failure into the API's error shape: the first message per field.
export function fieldErrors(err: z.ZodError): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of err.issues) fields[issue.path.join('.') || '_'] ??= issue.message;
  return fields;
}

/** Parsed value, or a ValidationError (400) naming each bad field. */
export function validate<T>(schema: z.ZodType<T>, value: unknown, message: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new ValidationError(message, fieldErrors(r.error));
  return r.data;
}
