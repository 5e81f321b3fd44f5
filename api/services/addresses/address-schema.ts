import { z } from 'zod';
import { LIMITS } from '../../numbers.ts';
import { EMAIL, MOBILE } from '../accounts/account-schema.ts';

// The rules for an address, in one place: the routes validate bodies with these schemas (and the
// OpenAPI document shows them), and AddressService parses its input with them again, so a caller
// that is not a route (a job, the CLI, a test) meets the same rules.

// a landline with an optional area code: 010-12345678, 0755-1234567, 12345678
export const TEL_PATTERN = /^(\d{3,4}-)?\d{7,8}$/;

/** The accounts' mobile rule, trimmed first: an address form is typed, often pasted, by hand. */
export const mobileSchema = z.string({ message: '请输入手机号' }).trim().regex(MOBILE, '手机号格式错误');

const requiredText = (label: string, max: number) =>
  z.string({ message: `请输入${label}` }).trim().min(1, `请输入${label}`).max(max, `${label}不能超过 ${max} 个字`);

/**
 * A field a shopper may leave out: absent, null, '' and blanks all mean "none" and come out as null,
 * which is what is stored (never '': one spelling of "none" in the database and in JSON).
 */
const optionalText = (label: string, max: number, valid: (v: string) => boolean) =>
  z
    .string({ message: `${label}格式错误` })
    .trim()
    .max(max, `${label}不能超过 ${max} 个字符`)
    .refine((v) => v === '' || valid(v), `${label}格式错误`)
    .nullish()
    .transform((v) => v || null);

const areaId = (label: string) =>
  z
    .number({ message: `请选择${label}` })
    .int(`请选择${label}`)
    .min(LIMITS.id.min, `请选择${label}`)
    .max(LIMITS.id.max, `请选择${label}`);

export const titleSchema = requiredText('地址名称', 20);

export const addressBodySchema = z.object({
  /** Defaults to the receiver on create, and stays as it was on update, when absent or empty. */
  title: z
    .string({ message: '地址名称必须是文字' })
    .trim()
    .max(20, '地址名称不能超过 20 个字')
    .nullish()
    .transform((v) => v || null),
  receiver: requiredText('收货人', 20),
  province_id: areaId('省份'),
  city_id: areaId('城市'),
  district_id: areaId('区县'),
  place: requiredText('详细地址', 50),
  mobile: mobileSchema,
  tel: optionalText('固定电话', 20, (v) => TEL_PATTERN.test(v)),
  email: optionalText('邮箱', 254, (v) => EMAIL.test(v)),
});

export const titleBodySchema = z.object({ title: titleSchema });

/** What a client sends (optional fields may be absent, null or ''). */
export type AddressBody = z.input<typeof addressBodySchema>;
/** After parsing: trimmed, with every "none" as null. */
export type AddressInput = z.output<typeof addressBodySchema>;
