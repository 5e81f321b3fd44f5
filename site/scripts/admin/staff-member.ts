// 管理员 form: POST /api/admin/staff (create) or PATCH /api/admin/staff/{id} (?id=…: only the fields
// that changed, so a staff member editing someone never re-sends what they may not touch); DELETE
// deactivates. The API's refusals (a permission the editor lacks, a taken username) show next to
// their field or on top.
import { adminGet, adminRequest, type Page } from './api.ts';
import { bindForm, fillForm } from './form-kit.ts';
import { grantsUnderMatrix, loadPermissions, matrixOrNote } from './permission-matrix.ts';
import { bootConsole, byId, showPageError } from './shell.ts';

interface StaffRow { id: number; username: string; mobile: string | null; is_superuser: boolean; is_active: boolean; groups: { id: number; name: string }[]; permissions: string[] }
interface Group { id: number; name: string }

const sameSet = (a: readonly (string | number)[], b: readonly (string | number)[]) => a.length === b.length && a.every((x) => b.includes(x));

async function main() {
  const me = await bootConsole();
  if (!me.can('users.view_staff')) return;
  const idParam = new URLSearchParams(location.search).get('id');
  const id = idParam && /^\d{1,12}$/.test(idParam) ? Number(idParam) : null;
  const form = byId<HTMLFormElement>('staff-form');
  const [perms, groups, row] = await Promise.all([
    me.can('auth.view_permission') ? loadPermissions() : Promise.resolve(null),
    me.can('auth.view_group') ? adminGet<Page<Group>>('/api/admin/groups?page_size=100').then((p) => p.results) : Promise.resolve([] as Group[]),
    id ? adminGet<StaffRow>(`/api/admin/staff/${id}`) : Promise.resolve(null),
  ]);
  document.querySelector('h1')!.textContent = row ? `管理员 ${row.username}` : '新增管理员';
  const matrix = matrixOrNote(byId('matrix'), perms, '单独授予的权限', () => row?.permissions ?? []);
  const groupBoxes = groups.map((g) => {
    const box = Object.assign(document.createElement('input'), { type: 'checkbox', value: String(g.id) });
    const label = document.createElement('label');
    label.append(box, ` ${g.name}`);
    byId('groups').append(label);
    return box;
  });
  if (!groups.length) byId('groups').textContent = me.can('auth.view_group') ? '尚无用户组' : '（无权查看用户组）';
  const chosenGroups = () => groupBoxes.filter((b) => b.checked).map((b) => Number(b.value));

  const username = form.elements.namedItem('username') as HTMLInputElement;
  if (row) {
    fillForm(form, { username: row.username, mobile: row.mobile, is_active: row.is_active, is_superuser: row.is_superuser });
    username.readOnly = true;
    // a new account is active (POST takes no is_active): the switch is an edit's
    byId('active-field').hidden = false;
    byId('password-hint').hidden = false;
    matrix.set(row.permissions);
    groupBoxes.forEach((b) => (b.checked = row.groups.some((g) => g.id === Number(b.value))));
  } else {
    (form.elements.namedItem('password') as HTMLInputElement).required = true;
  }
  // who may only look sees the form without its buttons and cannot change it
  const mayWrite = row ? me.can('users.change_staff') : me.can('users.add_staff');
  byId('staff-save').hidden = !mayWrite;
  if (!mayWrite) for (const el of form.querySelectorAll<HTMLInputElement>('input')) el.disabled = true;
  if (row && me.can('users.delete_staff') && row.is_active) byId('staff-delete').hidden = false;

  bindForm(
    form,
    async (v) => {
      const isActive = v.is_active === 'on';
      const isSuper = v.is_superuser === 'on';
      if (!row) {
        const body: Record<string, unknown> = { username: v.username, password: v.password, mobile: v.mobile, groups: chosenGroups(), permissions: matrix.selected() };
        if (isSuper) body.is_superuser = true;
        return grantsUnderMatrix(adminRequest<StaffRow>('POST', '/api/admin/staff', body));
      }
      const body: Record<string, unknown> = {};
      if (v.password) body.password = v.password;
      if ((v.mobile || null) !== row.mobile) body.mobile = v.mobile;
      if (isActive !== row.is_active) body.is_active = isActive;
      if (isSuper !== row.is_superuser) body.is_superuser = isSuper;
      if (!sameSet(chosenGroups(), row.groups.map((g) => g.id))) body.groups = chosenGroups();
      if (!sameSet(matrix.selected(), row.permissions)) body.permissions = matrix.selected();
      return grantsUnderMatrix(adminRequest<StaffRow>('PATCH', `/api/admin/staff/${row.id}`, body));
    },
    () => location.assign('/admin/staff.html'),
  );
  byId('staff-delete').addEventListener('click', async () => {
    if (!row || !confirm(`停用管理员 ${row.username}，并移除其用户组、权限与登录会话？`)) return;
    await adminRequest('DELETE', `/api/admin/staff/${row.id}`);
    location.assign('/admin/staff.html');
  });
  document.body.dataset.ready = 'true';
}

main().catch(showPageError);
