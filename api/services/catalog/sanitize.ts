import sanitizeHtml from 'sanitize-html';
import { isSafeLink } from './links.ts';

// SPU descriptions are admin-entered rich text that the original printed with |safe (stored XSS,
// meiduo-original.md §6.1 #14). Only formatting tags survive; no scripts, handlers or javascript:
// URLs. Links open nothing with the shop's privileges (rel="nofollow noopener"), and pictures load
// only from the shop's own /media/ or the hosts named in IMAGE_HOSTS: a picture from anywhere else is
// a tracking pixel that tells a third party who looks at which product.

export interface SanitizeOptions {
  /** Hosts (host or host:port) besides the shop itself that pictures may come from. */
  imageHosts?: readonly string[];
}

function imageAllowed(src: string | undefined, hosts: readonly string[]): boolean {
  if (!src) return false;
  if (src.startsWith('/')) {
    // resolved as the browser would: '/media/../api/x' is /api/x, not a picture of ours
    if (!isSafeLink(src) || /%2e|%2f|%5c/i.test(src)) return false;
    const u = new URL(src, 'http://shop.invalid');
    return u.host === 'shop.invalid' && u.pathname.startsWith('/media/');
  }
  try {
    const u = new URL(src);
    return (u.protocol === 'https:' || u.protocol === 'http:') && hosts.includes(u.host.toLowerCase());
  } catch {
    return false;
  }
}

const base: sanitizeHtml.IOptions = {
  allowedTags: [
    'p', 'br', 'hr', 'div', 'span', 'strong', 'b', 'em', 'i', 'u', 's', 'sub', 'sup', 'small',
    'h2', 'h3', 'h4', 'h5', 'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'blockquote',
    'table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'caption', 'img', 'a',
  ],
  allowedAttributes: {
    a: ['href', 'title', 'rel'],
    img: ['src', 'alt', 'width', 'height'],
    td: ['colspan', 'rowspan'],
    th: ['colspan', 'rowspan'],
  },
  allowedSchemes: ['http', 'https'],
  allowedSchemesAppliedToAttributes: ['href', 'src'],
  allowProtocolRelative: false,
  // whatever rel an editor wrote is replaced, never merged
  transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'nofollow noopener' }) },
};

const cache = new Map<string, sanitizeHtml.IOptions>();

function optionsFor(hosts: readonly string[]): sanitizeHtml.IOptions {
  const key = hosts.join(',');
  let o = cache.get(key);
  if (!o) {
    o = { ...base, exclusiveFilter: (frame) => frame.tag === 'img' && !imageAllowed(frame.attribs.src, hosts) };
    cache.set(key, o);
  }
  return o;
}

export function sanitizeDescription(html: string, opts: SanitizeOptions = {}): string {
  return sanitizeHtml(html, optionsFor((opts.imageHosts ?? []).map((h) => h.toLowerCase())));
}
