// 用户组 form: POST /api/admin/groups or PATCH /api/admin/groups/{id} (?id=…) with the name and the
// matrix's permissions (the list replaces the group's); DELETE removes it. A permission the editor
// lacks is the API's refusal, shown on the form.
import { adminGet, adminRequest } from './api.ts';
import { bindForm, fillForm, setFormMessage } from './form-kit.ts';
import { grantsUnderMatrix, loadPermissions, matrixOrNote } from './permission-matrix.ts';
import { bootConsole, byId, showPageError } from './shell.ts';

interface Group { id: number; name: string; permissions: string[]; member_count: number }

async function main() {
  const me = await bootConsole();
  if (!me.can('auth.view_group')) return;
  const idParam = new URLSearchParams(location.search).get('id');
  const id = idParam && /^\d{1,12}$/.test(idParam) ? Number(idParam) : null;
  const form = byId<HTMLFormElement>('group-form');
  const [perms, row] = await Promise.all([me.can('auth.view_permission') ? loadPermissions() : Promise.resolve(null), id ? adminGet<Group>(`/api/admin/groups/${id}`) : Promise.resolve(null)]);
  let group = row;
  document.querySelector('h1')!.textContent = group ? `用户组 ${group.name}` : '新增用户组';
  const matrix = matrixOrNote(byId('matrix'), perms, '用户组的权限', () => group?.permissions ?? []);
  if (group) {
    fillForm(form, { name: group.name });
    matrix.set(group.permissions);
  }
  const mayWrite = group ? me.can('auth.change_group') : me.can('auth.add_group');
  byId('group-save').hidden = !mayWrite;
  if (!mayWrite) for (const el of form.querySelectorAll<HTMLInputElement>('input')) el.disabled = true;
  if (group && me.can('auth.delete_group')) byId('group-delete').hidden = false;

  bindForm(
    form,
    (v) => {
      const body = { name: v.name, permissions: matrix.selected() };
      return grantsUnderMatrix(group ? adminRequest<Group>('PATCH', `/api/admin/groups/${group.id}`, body) : adminRequest<Group>('POST', '/api/admin/groups', body));
    },
    (saved) => {
      if (!group) {
        // the new group's own page, so that a second save edits it
        location.assign(`/admin/group.html?id=${saved.id}`);
        return;
      }
      group = saved;
      matrix.set(saved.permissions);
      setFormMessage(form, `已保存：${saved.permissions.length} 项权限`, 'ok');
    },
  );
  byId('group-delete').addEventListener('click', async () => {
    if (!group || !confirm(`删除用户组 ${group.name}？其成员将失去它授予的权限。`)) return;
    await adminRequest('DELETE', `/api/admin/groups/${group.id}`);
    location.assign('/admin/groups.html');
  });
  document.body.dataset.ready = 'true';
}

main().catch(showPageError);
