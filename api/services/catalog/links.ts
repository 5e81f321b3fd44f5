// The one rule for links an editor puts on the shop's pages (homepage content today, the admin API
// later): a path on this site ('/list/115/default/1.html') or an absolute http(s) URL. Anything else —
// 'javascript:', 'data:', 'vbscript:', protocol-relative '//host', backslash tricks, control
// characters — would turn a content edit into script on every shopper's homepage.

const CONTROL_OR_SPACE = /[\u0000-\u0020\u007f-\u009f\u2028\u2029]/u;

export function isSafeLink(url: string): boolean {
  if (url === '') return true; // no link of its own: the page falls back to a safe default
  if (url.length > 2000 || CONTROL_OR_SPACE.test(url) || url.includes('\\')) return false;
  if (url.startsWith('/')) return !url.startsWith('//');
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  return /^https?:\/\//i.test(url) && (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
}

export const SAFE_LINK_MESSAGE = '必须是本站路径（以 / 开头）或 http(s):// 网址';
