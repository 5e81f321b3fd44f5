// The console's rule on what a staff member sees: an element with data-permission="a.b|c.d" shows
// only when they hold one of those permissions (superusers hold every one); data-unless-permission
// shows only when they hold none. admin.css hides both until this marks them data-granted, so
// nothing flashes. The server still decides: a hidden button is a convenience, the route's 403 the rule.

export function holds(held: ReadonlySet<string>, spec: string): boolean {
  return spec.split('|').some((p) => held.has(p.trim()));
}

export function applyPermissions(held: ReadonlySet<string>, root: ParentNode = document): void {
  for (const el of root.querySelectorAll<HTMLElement>('[data-permission]')) el.toggleAttribute('data-granted', holds(held, el.dataset.permission!));
  for (const el of root.querySelectorAll<HTMLElement>('[data-unless-permission]')) el.toggleAttribute('data-granted', !holds(held, el.dataset.unlessPermission!));
}
