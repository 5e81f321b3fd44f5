// The readable API reference (`/api/docs`): the OpenAPI document rendered as one plain HTML page on
// the server — no script and no inline style, so the shop's Content-Security-Policy holds — listing
// every route with who may call it, its parameters, its body schema, its answer and its errors.

type Json = Record<string, any>;

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function typeOf(schema: Json | undefined): string {
  if (!schema) return '';
  const parts = [schema.type ?? (schema.enum ? 'enum' : 'any')];
  if (schema.enum) parts.push(schema.enum.map((v: unknown) => JSON.stringify(v)).join(' | '));
  if (schema.pattern) parts.push(`pattern ${schema.pattern}`);
  if (schema.maxLength !== undefined) parts.push(`≤ ${schema.maxLength} chars`);
  return parts.join(', ');
}

export function renderApiReference(doc: Json): string {
  const sections: string[] = [];
  for (const [path, ops] of Object.entries(doc.paths as Json)) {
    for (const [method, op] of Object.entries(ops as Json)) {
      const auth = op['x-meiduo-auth'] ?? 'public';
      const params = (op.parameters as Json[]).map(
        (p) => `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td>${p.required ? 'yes' : 'no'}</td><td>${esc(typeOf(p.schema))}</td></tr>`,
      );
      const body = op.requestBody
        ? Object.entries(op.requestBody.content as Json)
            .map(([type, c]) => `<p>Body (<code>${esc(type)}</code>):</p><pre>${esc(JSON.stringify((c as Json).schema, null, 2))}</pre>`)
            .join('')
        : '';
      const answers = Object.entries(op.responses as Json).map(([status, r]) => {
        const resolved: Json = r.$ref ? doc.components.responses[String(r.$ref).split('/').pop()!] : r;
        const content = Object.entries((resolved.content ?? {}) as Json);
        const detail = /^2/.test(status)
          ? content.map(([type, c]) => `<p>Answer <strong>${esc(status)}</strong> (<code>${esc(type)}</code>):</p><pre>${esc(JSON.stringify((c as Json).schema, null, 2))}</pre>`).join('') ||
            `<p>Answer <strong>${esc(status)}</strong>: no content.</p>`
          : '';
        return { status, detail, line: /^2/.test(status) ? '' : `<li><strong>${esc(status)}</strong> ${esc(resolved.description)}</li>` };
      });
      const errors = answers.map((a) => a.line).join('');
      sections.push(
        `<section id="${esc(op.operationId)}"><h2><code>${esc(method.toUpperCase())} ${esc(path)}</code></h2>` +
          (op.summary ? `<p>${esc(op.summary)}</p>` : '') +
          `<p>Who may call it: <strong>${esc(auth)}</strong></p>` +
          (params.length ? `<table><thead><tr><th>parameter</th><th>in</th><th>required</th><th>type</th></tr></thead><tbody>${params.join('')}</tbody></table>` : '') +
          body +
          answers.map((a) => a.detail).join('') +
          (errors ? `<p>Errors:</p><ul>${errors}</ul>` : '') +
          `</section>`,
      );
    }
  }
  return (
    `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(doc.info.title)} — reference</title></head><body>` +
    `<h1>${esc(doc.info.title)}</h1><p>Generated from the route definitions; machine-readable: <a href="/api/openapi.json">/api/openapi.json</a>. ` +
    `Errors are <code>{"error": {"code", "message", "fields"?}}</code> with the statuses listed per route; nothing is changed by a refused request. ` +
    `Every answer of a route carries <code>X-Request-Id</code>; a 429 carries <code>Retry-After</code> (seconds).</p>` +
    sections.join('') +
    `</body></html>`
  );
}
