// /user_center_site.html: the address book. The list (default badge, inline title edit, set
// default, delete) and one form for add and edit, whose region is three cascading selects fed by
// /api/areas (provinces) and /api/areas/{id} (an area's children), each fetched once per page.
import type { Address, AddressList } from '../../api/services/addresses/address-service.ts';
import { api, asApiError, request } from './api-client.ts';
import { busy, check, clearErrors, clearErrorsWhenValid, el, input, rules, setFieldError, showApiError, value } from './form-kit.ts';
import { redirectIfUnauthorized } from './session.ts';
import { enterUserCenter } from './user-center.ts';

type AddressBook = Pick<AddressList, 'default_address_id' | 'limit' | 'addresses'>;
interface Area {
  id: number;
  name: string;
}

const list = document.getElementById('address-list') as HTMLUListElement;
const empty = document.getElementById('address-empty')!;
const count = document.getElementById('address-count')!;
const addBtn = document.getElementById('address-add') as HTMLButtonElement;
const pageMsg = document.getElementById('address-msg')!;
const modal = document.getElementById('address-modal')!;
const form = document.getElementById('address-form') as HTMLFormElement;
const formTitle = document.getElementById('address-form-title')!;
const submit = form.querySelector<HTMLButtonElement>('button[type="submit"]');
const province = document.getElementById('addr-province') as HTMLSelectElement;
const city = document.getElementById('addr-city') as HTMLSelectElement;
const district = document.getElementById('addr-district') as HTMLSelectElement;

let book: AddressBook = { default_address_id: null, limit: 20, addresses: [] };
let editing: Address | null = null;

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
      void openForm(address);
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

// ---------- areas ----------

const areaCache = new Map<string, Promise<Area[]>>();

function areas(parentId: number | null): Promise<Area[]> {
  const key = parentId === null ? 'root' : String(parentId);
  let p = areaCache.get(key);
  if (!p) {
    p = parentId === null
      ? request<Area[]>('GET', '/areas')
      : request<{ subs: Area[] }>('GET', `/areas/${parentId}`).then((r) => r.subs ?? []);
    p.catch(() => areaCache.delete(key)); // a failure is retried next time
    areaCache.set(key, p);
  }
  return p;
}

const PLACEHOLDER: Record<string, string> = { province_id: '请选择省', city_id: '请选择市', district_id: '请选择区/县' };

function fill(select: HTMLSelectElement, items: Area[] | null): void {
  const first = el('option', { value: '' }, PLACEHOLDER[select.name]);
  select.replaceChildren(first, ...(items ?? []).map((a) => el('option', { value: String(a.id) }, a.name)));
  select.disabled = items === null;
}

// Each change bumps the generation, so an answer that arrives after a newer choice is dropped.
let generation = 0;

async function loadLevel(select: HTMLSelectElement, parentId: number | null, selected?: number): Promise<void> {
  const gen = generation;
  try {
    const items = await areas(parentId);
    if (gen !== generation) return;
    fill(select, items);
    if (selected !== undefined) select.value = String(selected);
  } catch (err) {
    if (gen !== generation) return;
    setFieldError(form, select.name, `地区加载失败：${asApiError(err).message}`);
  }
}

province.addEventListener('change', () => {
  generation++;
  fill(city, null);
  fill(district, null);
  setFieldError(form, 'province_id', null);
  if (province.value) void loadLevel(city, Number(province.value));
});
city.addEventListener('change', () => {
  generation++;
  fill(district, null);
  setFieldError(form, 'city_id', null);
  if (city.value) void loadLevel(district, Number(city.value));
});
district.addEventListener('change', () => setFieldError(form, 'district_id', null));

// ---------- the form ----------

async function openForm(address: Address | null): Promise<void> {
  editing = address;
  form.reset();
  clearErrors(form);
  formTitle.textContent = address ? '编辑收货地址' : '新增收货地址';
  modal.hidden = false;
  generation++;
  fill(city, null);
  fill(district, null);
  if (address) {
    for (const name of ['receiver', 'place', 'mobile', 'tel', 'email', 'title'] as const) input(form, name).value = address[name] ?? '';
    await loadLevel(province, null, address.province_id);
    await loadLevel(city, address.province_id, address.city_id);
    await loadLevel(district, address.city_id, address.district_id);
  } else {
    await loadLevel(province, null);
  }
  input(form, 'receiver').focus();
}

function closeForm(): void {
  modal.hidden = true;
  editing = null;
}

addBtn.addEventListener('click', () => void openForm(null));
document.getElementById('address-cancel')!.addEventListener('click', closeForm);
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && !modal.hidden) closeForm();
});

// The text fields' rules, for the submit and for clearing a message once its field is valid.
const textRules = {
  receiver: (v: string) => (v ? null : '请填写收货人'),
  place: (v: string) => (v ? null : '请填写详细地址'),
  mobile: rules.mobile,
  tel: rules.tel,
  email: (v: string) => (v ? rules.email(v) : null),
};
clearErrorsWhenValid(form, textRules);

form.addEventListener('submit', (event) => {
  event.preventDefault();
  clearErrors(form);
  const receiver = value(form, 'receiver');
  const place = value(form, 'place');
  const mobile = value(form, 'mobile');
  const tel = value(form, 'tel');
  const email = value(form, 'email');
  const ok = check(form, {
    receiver: textRules.receiver(receiver),
    province_id: province.value ? null : '请选择省',
    city_id: province.value && !city.value ? '请选择市' : null,
    district_id: city.value && !district.value ? '请选择区/县' : null,
    place: textRules.place(place),
    mobile: textRules.mobile(mobile),
    tel: textRules.tel(tel),
    email: textRules.email(email),
  });
  if (!ok) return;
  const body = {
    title: value(form, 'title'), // empty: the server names it after the receiver (or keeps the old name)
    receiver,
    province_id: Number(province.value),
    city_id: Number(city.value),
    district_id: Number(district.value),
    place,
    mobile,
    tel,
    email,
  };
  void busy(submit, async () => {
    try {
      if (editing) await request('PUT', `/addresses/${editing.id}`, body);
      else await request('POST', '/addresses', body);
      closeForm();
      await load();
    } catch (err) {
      const e = asApiError(err);
      if (redirectIfUnauthorized(e)) return;
      showApiError(form, e);
    }
  });
});

async function start(): Promise<void> {
  if (!(await enterUserCenter())) return;
  await load();
}

void start();
