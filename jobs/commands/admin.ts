import type { Config } from '../../api/config.ts';
import { UsageError, args } from './arguments.ts';
import { cliContext, out, withDb } from './terminal.ts';

const USAGE =
  'usage: meiduo admin create --username NAME --password PASSWORD [--superuser] [--mobile 13800138000] | meiduo admin password --username NAME --password PASSWORD|- | meiduo admin list [--json]';

/**
 * `meiduo admin create …` makes a staff account — the way to the first admin, before anyone can log
 * in to the admin API —, `meiduo admin password …` gives a locked-out staff member a new password
 * (ending their sessions), and `meiduo admin list` shows the staff. Writes are audited with the
 * command as the actor (`cli:admin create`, `cli:admin password`).
 */
export async function run(config: Config, argv: string[]) {
  const [sub, ...rest] = argv;
  if (sub === 'create') return create(config, rest);
  if (sub === 'password') return password(config, rest);
  if (sub === 'list') return list(config, rest);
  throw new UsageError(USAGE);
}

async function staffService(config: Config) {
  const [{ createCache }, { zoneDays }, { TokenStore }, { SessionService }, { AdminSessionService }, { StaffService }] = await Promise.all([
    import('../../api/cache/index.ts'),
    import('../../api/shop-days.ts'),
    import('../../api/services/accounts/tokens.ts'),
    import('../../api/services/accounts/sessions.ts'),
    import('../../api/services/admin/admin-sessions.ts'),
    import('../../api/services/admin/staff.ts'),
  ]);
  // the shop's cache: a staff change that ends sessions must reach the cached ones
  const cache = createCache(config.redisUrl);
  const tokens = new TokenStore();
  const staff = new StaffService(new AdminSessionService(cache, tokens, config), new SessionService(cache, tokens, config.accounts.sessionIdleMs, zoneDays(config.shopTimeZone)));
  return { staff, close: () => cache.close() };
}

/** The account rules of the API (api/services/accounts/account-schema.ts): a command's password obeys the routes' rule. */
async function accountRules() {
  const [{ z }, schemas, { validate }] = await Promise.all([import('zod'), import('../../api/services/accounts/account-schema.ts'), import('../../api/validation.ts')]);
  return { z, validate, ...schemas };
}

async function create(config: Config, argv: string[]) {
  const { values } = args(argv, { username: { type: 'string' }, password: { type: 'string' }, mobile: { type: 'string' }, superuser: { type: 'boolean' } });
  if (values.username === undefined || values.password === undefined) throw new UsageError(USAGE);
  const { z, mobileSchema, passwordSchema, usernameSchema, validate } = await accountRules();
  const input = validate(
    z.object({ username: usernameSchema, password: passwordSchema, mobile: mobileSchema.optional() }),
    { username: values.username, password: values.password, mobile: values.mobile },
    '参数有误',
  );
  const { staff, close } = await staffService(config);
  try {
    await withDb(config, async (db) => {
      const made = await staff.create(await cliContext(db, 'admin create'), { ...input, is_superuser: values.superuser ?? false });
      out(values.json, made, `staff ${made.id} created: ${made.username}${made.is_superuser ? ' (superuser)' : ''}`);
    });
  } finally {
    await close();
  }
}

/** `--password -`: the password is stdin's first line (kept out of the shell's history and `ps`). */
async function stdinPassword(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text.split(/\r?\n/)[0]!;
}

async function password(config: Config, argv: string[]) {
  const { values } = args(argv, { username: { type: 'string' }, password: { type: 'string' } });
  if (values.username === undefined || values.password === undefined) throw new UsageError(USAGE);
  const { z, passwordSchema, validate } = await accountRules();
  const { password: given } = validate(z.object({ password: passwordSchema }), { password: values.password === '-' ? await stdinPassword() : values.password }, '参数有误');
  const { staff, close } = await staffService(config);
  try {
    await withDb(config, async (db) => {
      const changed = await staff.setPassword(await cliContext(db, 'admin password'), values.username!, given);
      const note = changed.is_active ? '' : ' (the account is inactive: it cannot log in until reactivated)';
      out(values.json, changed, `staff ${changed.id} ${changed.username}: password changed, their sessions ended${note}`);
    });
  } finally {
    await close();
  }
}

async function list(config: Config, argv: string[]) {
  const { values } = args(argv, {});
  const { staff, close } = await staffService(config);
  try {
    await withDb(config, async (db) => {
      const context = await cliContext(db, 'admin list');
      const all = [];
      for (let page = 1; ; page++) {
        const r = await staff.list(context, { page, pageSize: 100 });
        all.push(...r.results);
        if (all.length >= r.count || r.results.length === 0) break;
      }
      const lines = all.map((s) => `${s.id}\t${s.username}\t${s.is_superuser ? 'superuser' : `${s.effective_permissions.length} permissions`}\t${s.is_active ? 'active' : 'inactive'}\t${s.groups.map((g) => g.name).join(',')}`);
      out(values.json, all, lines.length ? lines.join('\n') : 'no staff yet: meiduo admin create --username … --password … --superuser');
    });
  } finally {
    await close();
  }
}
