// The address form, as the user centre's address book and checkout both show it (the modal in
// templates/accounts/AddressModal.astro): receiver, the region as three cascading selects fed by
// /api/areas (provinces) and /api/areas/{id} (an area's children, each fetched once per page), the
// place, phones and a name. It adds (POST /api/addresses) or edits (PUT) and hands the saved
// address to the page.
import type { Address } from '../../api/services/addresses/address-service.ts';
import { asApiError, request } from './api-client.ts';
import { busy, check, clearErrors, clearErrorsWhenValid, el, input, rules, setFieldError, showApiError, value } from './form-kit.ts';
import { redirectIfUnauthorized } from './session.ts';

interface Area {
  id: number;
  name: string;
}

export interface AddressEditor {
  /** Opens the form, empty (add) or filled with `address` (edit). */
  open(address: Address | null): Promise<void>;
  close(): void;
}

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

/** Wires the modal's form; `saved` gets the address the server answered. */
export function addressEditor(saved: (address: Address) => void | Promise<void>): AddressEditor {
  const modal = document.getElementById('address-modal')!;
  const form = document.getElementById('address-form') as HTMLFormElement;
  const formTitle = document.getElementById('address-form-title')!;
  const submit = form.querySelector<HTMLButtonElement>('button[type="submit"]');
  const province = document.getElementById('addr-province') as HTMLSelectElement;
  const city = document.getElementById('addr-city') as HTMLSelectElement;
  const district = document.getElementById('addr-district') as HTMLSelectElement;
  let editing: Address | null = null;

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

  async function open(address: Address | null): Promise<void> {
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

  function close(): void {
    modal.hidden = true;
    editing = null;
  }

  document.getElementById('address-cancel')!.addEventListener('click', close);
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !modal.hidden) close();
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
        const address = editing ? await request<Address>('PUT', `/addresses/${editing.id}`, body) : await request<Address>('POST', '/addresses', body);
        close();
        await saved(address);
      } catch (err) {
        const e = asApiError(err);
        if (redirectIfUnauthorized(e)) return;
        showApiError(form, e);
      }
    });
  });

  return { open, close };
}
