// The console's form kit (docs/admin-console.md): a <form class="a-form"> made of Field.astro
// fields (label, input, <p data-error-for=name>) and a <p class="form-msg"> on top. bindForm sends
// the form's values, shows the API's 400 `error.fields` under their fields (the shop's form kit,
// site/scripts/form-kit.ts, does the showing), anything else on top, and keeps the submit button
// disabled while the request runs.
import { ApiError, asApiError } from '../api-client.ts';
import { busy, clearErrors, setFormMessage, showApiError } from '../form-kit.ts';

export { setFormMessage };

/** The form's fields as strings (checkboxes: 'on' or absent; a many-valued field: its last value, see formList); the page shapes them into its body. */
export function formValues(form: HTMLFormElement): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new FormData(form)) if (typeof v === 'string') out[k] = v.trim();
  return out;
}

/** Every value of a many-valued field (a <select multiple>, checkboxes of one name). */
export function formList(form: HTMLFormElement, name: string): string[] {
  return new FormData(form).getAll(name).filter((v): v is string => typeof v === 'string');
}

/** Fills named fields from an object (an edit page's current row). */
export function fillForm(form: HTMLFormElement, values: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(values)) {
    const field = form.elements.namedItem(k);
    if (field instanceof HTMLInputElement && field.type === 'checkbox') field.checked = Boolean(v);
    else if (field instanceof HTMLInputElement || field instanceof HTMLSelectElement || field instanceof HTMLTextAreaElement) field.value = v == null ? '' : String(v);
  }
}

/**
 * On submit: clears old errors, runs `submit(values)`; an ApiError shows on the form (400 fields
 * next to their inputs), success runs `done` with the answer.
 */
export function bindForm<T>(form: HTMLFormElement, submit: (values: Record<string, string>) => Promise<T>, done: (answer: T) => void): void {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors(form);
    const button = form.querySelector<HTMLButtonElement>('button[type="submit"]');
    void busy(button, async () => {
      try {
        done(await submit(formValues(form)));
      } catch (err) {
        const e = asApiError(err);
        showApiError(form, e instanceof ApiError ? e : asApiError(e));
        form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      }
    });
  });
}
