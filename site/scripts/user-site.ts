// /user_center_site.html: the address book. The list (default badge, inline title edit, set
// default, delete) and one form for add and edit (address-form.ts: checkout shows the same one).
import type { Address, AddressList } from '../../api/services/addresses/address-service.ts';
import { addressEditor } from './address-form.ts';
import { api, asApiError, request } from './api-client.ts';
import { busy, el } from './form-kit.ts';
import { redirectIfUnauthorized } from './session.ts';
import { enterUserCenter } from './user-center.ts';

type AddressBook = Pick<AddressList, 'default_address_id' | 'limit' | 'addresses'>;

const list = document.getElementById('address-list') as HTMLUListElement;
const empty = document.getElementById('address-empty')!;
const count = document.getElementById('address-count')!;
const addBtn = document.getElementById('address-add') as HTMLButtonElement;
const pageMsg = document.getElementById('address-msg')!;

let book: AddressBook = { default_address_id: null, limit: 20, addresses: [] };

function showPageError(message: string | null): void {
  pageMsg.textContent = message ?? '';
  pageMsg.hidden = !message;
}

/** Any failure of a list action: a 401 means the session is gone, the rest is said on the page. */
function failed(err: unknown): void {
  const e = asApiError(err);
  if (!redirectIfUnauthorized(e)) showPageError(e.message);
}

// ---------- the list ----------

const maskMobile = (m: string) => m.replace(/^(\d{3})\d{4}(\d{4})$/, '$1****$2');

function row(dl: HTMLDListElement, label: string, text: string | null): void {
  dl.append(el('dt', {}, label), el('dd', {}, text || '—'));
}

function addressItem(a: Address): HTMLLIElement {
  const isDefault = a.id === book.default_address_id;
  const li = el('li', { class: isDefault ? 'address-card is-default' : 'address-card', 'data-id': String(a.id) });

  const head = el('div', { class: 'addr-head' });
  const titleText = el('span', { class: 'addr-title' }, a.title);
  const titleEdit = el('button', { type: 'button', class: 'link-btn', 'data-act': 'title' }, '编辑');
  const titleForm = el('form', { class: 'title-form', novalidate: '' });
  titleForm.hidden = true;
  const titleInput = el('input', { name: 'title', maxlength: '20', 'aria-label': '地址名称' });
  titleInput.value = a.title;
  titleForm.append(
    titleInput,
    el('button', { type: 'submit', class: 'btn-primary btn-small' }, '保存'),
    el('button', { type: 'button', class: 'btn-plain btn-small', 'data-act': 'title-cancel' }, '取消'),
  );
  head.append(titleText, titleEdit, titleForm);
  if (isDefault) head.append(el('span', { class: 'badge default' }, '默认地址'));

  const dl = el('dl', { class: 'addr-body' });
  row(dl, '收货人：', a.receiver);
  row(dl, '所在地区：', `${a.province} ${a.city} ${a.district}`);
  row(dl, '详细地址：', a.place);
  row(dl, '手机：', maskMobile(a.mobile));
  row(dl, '固定电话：', a.tel);
  row(dl, '电子邮箱：', a.email);

  const actions = el('div', { class: 'addr-actions' });
  if (!isDefault) actions.append(el('button', { type: 'button', class: 'link-btn', 'data-act': 'default' }, '设为默认'));
  actions.append(
    el('button', { type: 'button', class: 'link-btn', 'data-act': 'edit' }, '编辑'),
    el('button', { type: 'button', class: 'link-btn', 'data-act': 'delete' }, '删除'),
  );
  li.append(head, dl, actions);
  return li;
}

function render(): void {
  const n = book.addresses.length;
  // the default address first, the rest in the server's order
  const sorted = [...book.addresses].sort((x, y) => Number(y.id === book.default_address_id) - Number(x.id === book.default_address_id));
  list.replaceChildren(...sorted.map(addressItem));
  empty.hidden = n > 0;
  count.textContent = `已有${n}个地址，最多${book.limit}个`;
  addBtn.disabled = n >= book.limit;
  addBtn.title = n >= book.limit ? `最多保存${book.limit}个地址` : '';
}

async function load(): Promise<void> {
  const { data, error } = await api<AddressBook>('/addresses');
  if (error) return failed(error);
  book = {
    default_address_id: data?.default_address_id ?? null,
    limit: data?.limit ?? 20,
    addresses: Array.isArray(data?.addresses) ? data.addresses : [],
  };
  render();
}

list.addEventListener('click', (event) => {
  const btn = (event.target as Element).closest<HTMLButtonElement>('button[data-act]');
  const li = btn?.closest<HTMLLIElement>('li[data-id]');
  if (!btn || !li) return;
  const address = book.addresses.find((a) => a.id === Number(li.dataset.id));
  if (!address) return;
  showPageError(null);
  const titleForm = li.querySelector<HTMLFormElement>('.title-form')!;
  const titleParts = li.querySelectorAll<HTMLElement>('.addr-title, [data-act="title"]');
  switch (btn.dataset.act) {
    case 'title':
    case 'title-cancel': {
      const open = btn.dataset.act === 'title';
      titleForm.hidden = !open;
      for (const p of titleParts) p.hidden = open;
      if (open) titleForm.querySelector('input')!.select();
      break;
    }
    case 'default':
      void busy(btn, () => request('PUT', `/addresses/${address.id}/status`).then(load, failed));
      break;
    case 'edit':
      void editor.open(address);
      break;
    case 'delete':
      if (confirm(`确定删除地址“${address.title}”吗？`)) void busy(btn, () => request('DELETE', `/addresses/${address.id}`).then(load, failed));
      break;
  }
});

list.addEventListener('submit', (event) => {
  event.preventDefault();
  const titleForm = event.target as HTMLFormElement;
  const li = titleForm.closest<HTMLLIElement>('li[data-id]');
  const title = titleForm.querySelector('input')!.value.trim();
  if (!li) return;
  if (!title) {
    showPageError('地址名称不能为空');
    return;
  }
  void busy(titleForm.querySelector('button[type="submit"]'), () =>
    request('PUT', `/addresses/${li.dataset.id}/title`, { title }).then(load, failed),
  );
});

// ---------- the form (address-form.ts, shared with checkout) ----------

const editor = addressEditor(() => load());
addBtn.addEventListener('click', () => void editor.open(null));

async function start(): Promise<void> {
  if (!(await enterUserCenter())) return;
  await load();
}

void start();
