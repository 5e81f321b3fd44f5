// What every account form shares: the page-side rules (the server is authoritative, these only
// spare a round trip), per-field error slots, the image captcha and the SMS button's countdown.
// Markup contract (templates/accounts/): an input named X has a sibling <p data-error-for="X">,
// and a form may hold one <p class="form-msg"> for errors that belong to no field.
import { ApiError } from './api-client.ts';

export const rules = {
  username(v: string): string | null {
    if (!/^[A-Za-z0-9_-]{5,20}$/.test(v)) return '请输入5-20个字符的用户名（字母、数字、_ 或 -）';
    if (/^\d+$/.test(v)) return '用户名不能是纯数字';
    return null;
  },
  password(v: string): string | null {
    return v.length >= 8 && v.length <= 20 ? null : '请输入8-20位的密码';
  },
  password2(v: string, password: string): string | null {
    if (!v) return '请再次输入密码';
    return v === password ? null : '两次输入的密码不一致';
  },
  mobile(v: string): string | null {
    return /^1[3-9]\d{9}$/.test(v) ? null : '您输入的手机号格式不正确';
  },
  smsCode(v: string): string | null {
    return /^\d{6}$/.test(v) ? null : '请填写6位数字短信验证码';
  },
  imageCode(v: string): string | null {
    return v.trim() ? null : '请填写图形验证码';
  },
  email(v: string): string | null {
    return /^[a-z0-9][\w.-]*@[a-z0-9-]+(\.[a-z]{2,10}){1,3}$/i.test(v) ? null : '邮箱格式不正确';
  },
  /** Optional landline, as the API takes it: 010-12345678, 0755-1234567, or just the number. */
  tel(v: string): string | null {
    return !v || /^(\d{3,4}-)?\d{7,8}$/.test(v) ? null : '固定电话格式不正确';
  },
};

export function input(form: HTMLFormElement, name: string): HTMLInputElement {
  const el = form.elements.namedItem(name);
  if (!(el instanceof HTMLInputElement) && !(el instanceof HTMLSelectElement)) throw new Error(`form has no field ${name}`);
  return el as HTMLInputElement;
}

export function value(form: HTMLFormElement, name: string): string {
  return input(form, name).value.trim();
}

function errorSlot(form: HTMLFormElement, name: string): HTMLElement | null {
  return form.querySelector<HTMLElement>(`[data-error-for="${name}"]`);
}

let errorSlotIds = 0;

export function setFieldError(form: HTMLFormElement, name: string, message: string | null): void {
  const slot = errorSlot(form, name);
  if (slot) {
    slot.textContent = message ?? '';
    slot.hidden = !message;
  }
  const el = form.elements.namedItem(name);
  if (el instanceof HTMLElement) {
    el.classList.toggle('invalid', !!message);
    if (message) el.setAttribute('aria-invalid', 'true');
    else el.removeAttribute('aria-invalid');
    // the message is the field's description while it shows (a screen reader reads it with the field)
    if (slot) {
      slot.id ||= `field-error-${++errorSlotIds}`; // unique even with several forms of one kind on a page (goods_judge)
      const ids = (el.getAttribute('aria-describedby') ?? '').split(/\s+/).filter((id) => id && id !== slot.id);
      if (message) ids.push(slot.id);
      if (ids.length) el.setAttribute('aria-describedby', ids.join(' '));
      else el.removeAttribute('aria-describedby');
    }
  }
}

export function setFormMessage(form: HTMLFormElement, message: string | null, kind: 'error' | 'ok' = 'error'): void {
  const box = form.querySelector<HTMLElement>('.form-msg');
  if (!box) return;
  box.textContent = message ?? '';
  box.hidden = !message;
  box.classList.toggle('ok', kind === 'ok');
}

export function clearErrors(form: HTMLFormElement): void {
  for (const slot of form.querySelectorAll<HTMLElement>('[data-error-for]')) setFieldError(form, slot.dataset.errorFor!, null);
  setFormMessage(form, null);
}

/**
 * Runs `checks` (field → message or null) and shows the results; true when all pass.
 * Focuses the first bad field.
 */
export function check(form: HTMLFormElement, checks: Record<string, string | null>): boolean {
  let first: string | null = null;
  for (const [name, message] of Object.entries(checks)) {
    setFieldError(form, name, message);
    if (message && !first) first = name;
  }
  if (first) (form.elements.namedItem(first) as HTMLElement | null)?.focus?.();
  return first === null;
}

/**
 * An error under a field goes away as soon as the field is valid (on input, not at the next submit):
 * a shown message is checked again with its rule on every input or change of that field. Fields
 * without a rule here (a server refusal) clear when edited.
 */
export function clearErrorsWhenValid(form: HTMLFormElement, fieldRules: Record<string, (value: string) => string | null>): void {
  const recheck = (event: Event) => {
    const field = event.target;
    if (!(field instanceof HTMLInputElement || field instanceof HTMLSelectElement || field instanceof HTMLTextAreaElement) || !field.name) return;
    const slot = errorSlot(form, field.name);
    if (!slot || slot.hidden) return;
    const rule = fieldRules[field.name];
    if (!rule || rule(field.value.trim()) === null) setFieldError(form, field.name, null);
  };
  form.addEventListener('input', recheck);
  form.addEventListener('change', recheck);
}

/** A server refusal on the form: each named field under its input, anything else on top. */
export function showApiError(form: HTMLFormElement, err: ApiError): void {
  const leftover: string[] = [];
  for (const [name, message] of Object.entries(err.fields)) {
    if (errorSlot(form, name)) setFieldError(form, name, message);
    else leftover.push(message);
  }
  const matched = Object.keys(err.fields).length > leftover.length;
  if (leftover.length) setFormMessage(form, leftover.join('；'));
  else if (!matched) setFormMessage(form, err.message);
}

/** Disables the submit button while `work` runs, so a double click sends one request. */
export async function busy<T>(button: HTMLButtonElement | null, work: () => Promise<T>): Promise<T> {
  if (button) button.disabled = true;
  try {
    return await work();
  } finally {
    if (button) button.disabled = false;
  }
}

/** The image captcha: a fresh uuid per picture; clicking the picture loads another. */
export class Captcha {
  id = '';

  constructor(private readonly img: HTMLImageElement, private readonly field?: HTMLInputElement) {
    img.addEventListener('click', () => this.refresh());
    this.refresh();
  }

  refresh(): void {
    this.id = crypto.randomUUID();
    this.img.src = `/api/image_codes/${this.id}`;
    if (this.field) this.field.value = '';
  }
}

/** The SMS button: disabled while counting down, then back to its label. */
export class SmsButton {
  private readonly label: string;
  private timer: ReturnType<typeof setInterval> | null = null;
  private sending = false;

  constructor(readonly button: HTMLButtonElement) {
    this.label = button.textContent?.trim() || '获取短信验证码';
  }

  get waiting(): boolean {
    return this.timer !== null || this.sending;
  }

  /** Runs `send`; a resolved send starts the 60 s countdown, a 429 counts down its Retry-After. */
  async send(sendCode: () => Promise<void>): Promise<boolean> {
    if (this.waiting) return false;
    this.sending = true;
    this.button.disabled = true;
    this.button.textContent = '发送中…';
    try {
      await sendCode();
      this.countdown(60);
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.status === 429) this.countdown(err.retryAfter && err.retryAfter > 0 ? err.retryAfter : 60);
      else this.reset();
      throw err;
    } finally {
      this.sending = false;
    }
  }

  countdown(seconds: number): void {
    if (this.timer) clearInterval(this.timer);
    let left = Math.ceil(seconds);
    this.button.disabled = true;
    this.button.textContent = `${left}秒后重新发送`;
    this.timer = setInterval(() => {
      left -= 1;
      if (left <= 0) this.reset();
      else this.button.textContent = `${left}秒后重新发送`;
    }, 1000);
  }

  reset(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.button.disabled = false;
    this.button.textContent = this.label;
  }
}

/** "N 分钟" from a Retry-After in seconds, never less than 1. */
export function minutes(seconds: number | null): number {
  return Math.max(1, Math.ceil((seconds ?? 60) / 60));
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}
