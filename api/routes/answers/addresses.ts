import { z } from 'zod';
import { count, id } from './common.ts';

// Answers of the address and area routes (api/services/addresses, areas).

export const address = z.strictObject({
  id,
  title: z.string(),
  receiver: z.string(),
  province_id: id,
  province: z.string(),
  city_id: id,
  city: z.string(),
  district_id: id,
  district: z.string(),
  place: z.string(),
  mobile: z.string(),
  tel: z.string().nullable(),
  email: z.string().nullable(),
});

export const addressList = z.strictObject({
  user_id: id,
  default_address_id: id.nullable(),
  limit: count,
  addresses: z.array(address),
});

export const defaultAddress = z.strictObject({ message: z.literal('OK'), default_address_id: id });

export const addressTitle = z.strictObject({ id, title: z.string() });

const area = z.strictObject({ id, name: z.string() });
export const provinces = z.array(area);
export const areaDetail = area.extend({ subs: z.array(area).meta({ description: 'one level down; empty for a district' }) });

export const historyRecorded = z.strictObject({ sku_id: id });
