import { z } from 'zod';
import { count, id } from './common.ts';

// Answers of the accounts routes (api/services/accounts).

const token = z.string().min(1);

export const usernameCount = z.strictObject({ username: z.string(), count });
export const mobileCount = z.strictObject({ mobile: z.string(), count });

export const profile = z.strictObject({
  id,
  username: z.string(),
  mobile: z.string(),
  email: z.string().nullable(),
  email_active: z.boolean(),
});

/** A new session: the token is also set as the pages' cookies. */
export const sessionGrant = z.strictObject({ token, user_id: id, username: z.string() });

export const registered = profile.extend({ token });

/** `already_verified`: the link was opened before and the address is still the account's, verified. */
export const emailVerified = z.strictObject({ email: z.string(), email_active: z.literal(true), already_verified: z.boolean() });

/** The same answer whether the account exists or not: no masked mobile (it could be unmasked by the count endpoint). */
export const resetStarted = z.strictObject({ access_token: token });

export const resetVerified = z.strictObject({ user_id: id, reset_token: token });

export const qqAuthorization = z.strictObject({ login_url: z.url() });

/** A QQ user already bound gets a session; one not yet bound, a token to bind with. Both say where to go next. */
export const qqCallback = z.union([sessionGrant.extend({ next: z.string() }), z.strictObject({ access_token: token, next: z.string() })]);
