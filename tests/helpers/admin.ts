import crypto from 'node:crypto';
import type { Services } from '../../api/services/index.ts';
import { uniqueMobile } from './accounts.ts';
import type { TestApp } from './app.ts';

// Staff for tests that are not about making staff: an account made through the staff service (as
// the CLI makes the first admin: audited as the system), an admin session, and the headers an API
// client would send. `permissions`: codenames of api/services/admin/permission-catalog.ts.

let serial = 0;

export interface TestStaff {
  userId: number;
  username: string;
  password: string;
  token: string;
  headers: Record<string, string>;
}

export async function createStaffUser(
  services: Services,
  opts: { permissions?: string[]; groups?: number[]; superuser?: boolean; username?: string; password?: string } = {},
): Promise<Omit<TestStaff, 'token' | 'headers'>> {
  serial++;
  const username = opts.username ?? `staff_${process.pid % 100000}_${serial}_${crypto.randomBytes(2).toString('hex')}`.slice(0, 20);
  const password = opts.password ?? 'password123';
  const staff = await services.staff.create(services.systemContext('test'), {
    username,
    password,
    mobile: uniqueMobile(),
    permissions: opts.permissions ?? [],
    groups: opts.groups ?? [],
    is_superuser: opts.superuser ?? false,
  });
  return { userId: staff.id, username, password };
}

/** A staff member holding `permissions` (or every one: `superuser`), logged in to the admin API. */
export async function createStaff(
  app: Pick<TestApp, 'services'>,
  opts: { permissions?: string[]; groups?: number[]; superuser?: boolean; username?: string; password?: string } = {},
): Promise<TestStaff> {
  const user = await createStaffUser(app.services, opts);
  const { token } = await app.services.adminSessions.sessions.create(app.services.db, user.userId, app.services.clock.now().getTime());
  return { ...user, token, headers: { authorization: `Bearer ${token}` } };
}
