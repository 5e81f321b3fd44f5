import { z } from 'zod';
import { MOBILE, normalizedInput } from './identifiers.ts';

// The account rules, once: the routes validate bodies with these, the pages mirror them, and the
// OpenAPI document shows them. Identifiers (username, mobile, account, email) are normalised
// (identifiers.ts: NFKC, no invisible characters) before their rule is checked, so what is stored
// and what is looked up is that form; the OpenAPI document shows the rule (zod's input side of a
// preprocess is the schema after it).

export { MOBILE };

export const mobileSchema = z.preprocess(normalizedInput, z.string({ message: '请输入手机号' }).regex(MOBILE, '手机号格式错误'));
export const usernameSchema = z.preprocess(
  normalizedInput,
  z
    .string({ message: '请输入用户名' })
    .regex(/^[A-Za-z0-9_-]{5,20}$/, '用户名是5-20个字符的字母、数字、_ 或 -')
    // an all-digit name could be someone's mobile, and login takes either
    .refine((u) => !/^\d+$/.test(u), '用户名不能全是数字')
    .meta({ not: { pattern: '^[0-9]+$' }, description: '5–20 of A-Za-z0-9_-, not all digits' }),
);
export const passwordSchema = z.string({ message: '请输入密码' }).min(8, '密码是8-20个字符').max(20, '密码是8-20个字符');
export const smsCodeSchema = z.string({ message: '请输入短信验证码' }).regex(/^\d{6}$/, '短信验证码是6位数字');
export const imageCodeSchema = z.string({ message: '请输入图形验证码' }).regex(/^[A-Za-z0-9]{4}$/, '图形验证码是4个字符');
export const uuidSchema = z.uuid('必须是 UUID');
/** A username or a mobile, normalised; its length is not the registration rule's (the service looks up only what a rule could have stored). */
export const accountSchema = z.preprocess(normalizedInput, z.string({ message: '请输入用户名或手机号' }).min(1, '请输入用户名或手机号').max(20, '用户名或手机号错误'));
/** A token of any kind: the service checks its kind. */
export const tokenSchema = z.string({ message: '缺少凭证' }).min(1, '缺少凭证').max(100, '凭证无效');

const samePasswords = <T extends { password: string; password2: string }>(v: T, ctx: z.RefinementCtx) => {
  if (v.password !== v.password2) ctx.addIssue({ code: 'custom', path: ['password2'], message: '两次输入的密码不一致' });
};

export const registerBody = z
  .object({
    username: usernameSchema,
    password: passwordSchema,
    password2: z.string({ message: '请再次输入密码' }),
    mobile: mobileSchema,
    sms_code: smsCodeSchema,
    allow: z.literal(true, { message: '请同意用户协议' }),
  })
  .superRefine(samePasswords);

export const loginBody = z.object({ account: accountSchema, password: z.string({ message: '请输入密码' }).min(1, '请输入密码').max(100, '密码错误') });

/** What an SMS code sent by POST /api/sms_codes is for; a code completes only its own purpose (the reset's come from its step 2). */
export const smsPurposeSchema = z.enum(['register', 'bind'], { message: '用途是 register 或 bind' }).default('register');
export const smsCodeBody = z.object({ mobile: mobileSchema, image_code_id: uuidSchema, image_code: imageCodeSchema, purpose: smsPurposeSchema });

/**
 * An email address as JSON Schema's `format: email` means it (RFC 5321 Mailbox, without quoted local
 * parts or address literals): a dot-atom local part of at most 64 characters; domain labels of 1–63
 * letters, digits and hyphens, neither starting nor ending with '-' (RFC 1123); at least two labels,
 * the last not all digits. zod's own email pattern lets `a@b-.cn` through.
 */
export const EMAIL = /^(?=[^@]{1,64}@)[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?![0-9]+$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
export const emailSchema = z.email({ pattern: EMAIL, message: '邮箱格式错误' }).max(254, '邮箱过长');

export const emailBody = z.object({ email: z.preprocess(normalizedInput, emailSchema) });
export const tokenBody = z.object({ token: tokenSchema });

export const passwordChangeBody = z
  .object({ old_password: z.string({ message: '请输入原密码' }).min(1, '请输入原密码').max(100, '原密码错误'), password: passwordSchema, password2: z.string({ message: '请再次输入密码' }) })
  .superRefine(samePasswords);

export const resetAccountBody = z.object({ account: accountSchema, image_code_id: uuidSchema, image_code: imageCodeSchema });
export const resetSmsBody = z.object({ access_token: tokenSchema });
export const resetVerifyBody = z.object({ account: accountSchema, sms_code: smsCodeSchema });
export const resetPasswordBody = z
  .object({ reset_token: tokenSchema, password: passwordSchema, password2: z.string({ message: '请再次输入密码' }) })
  .superRefine(samePasswords);

export const qqBindBody = z.object({ access_token: tokenSchema, mobile: mobileSchema, password: passwordSchema, sms_code: smsCodeSchema });
/** Where to go after QQ login: a path of this site only (no scheme, no //host). */
export const nextPathSchema = z
  .string()
  .max(200, '跳转地址过长')
  .regex(/^\/(?![/\\])[^\s]*$/, '只能跳转到本站页面')
  .default('/');
