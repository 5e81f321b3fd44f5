import { describe, expect, it } from 'vitest';
import { isSafeLink } from '../../api/services/catalog/links.ts';
import { sanitizeDescription } from '../../api/services/catalog/sanitize.ts';

describe('description sanitiser', () => {
  it('keeps rel="nofollow noopener" on links, whatever rel the editor wrote', () => {
    expect(sanitizeDescription('<a href="https://example.com/x">x</a>')).toBe('<a href="https://example.com/x" rel="nofollow noopener">x</a>');
    expect(sanitizeDescription('<a href="https://example.com/" rel="opener">x</a>')).toContain('rel="nofollow noopener"');
  });

  it('loads pictures only from /media/ and the configured hosts', () => {
    expect(sanitizeDescription('<p><img src="/media/goods/a.png" alt="a"></p>')).toBe('<p><img src="/media/goods/a.png" alt="a" /></p>');
    for (const src of ['https://tracker.example/p.gif', 'http://img.example.com.evil.net/a.png', '//img.example.com/a.png', '/api/skus/1', 'data:image/png;base64,AAAA', 'javascript:alert(1)', '/media/../api/x']) {
      expect(sanitizeDescription(`<p><img src="${src}"></p>`, { imageHosts: ['img.example.com'] }), src).toBe('<p></p>');
    }
    expect(sanitizeDescription('<img src="https://IMG.example.com/a.png">', { imageHosts: ['img.example.com'] })).toContain('src="https://IMG.example.com/a.png"');
    expect(sanitizeDescription('<img src="https://img.example.com/a.png">')).toBe('');
  });

  it('still strips scripts and handlers', () => {
    const html = sanitizeDescription('<p onclick="x()">a<script>alert(1)</script><a href="javascript:alert(1)">b</a></p>');
    expect(html).not.toMatch(/script|onclick|javascript:/i);
  });
});

describe('editor links', () => {
  it.each(['', '/', '/list/115/default/1.html', '/goods/1.html?from=home#top', 'https://www.example.com/', 'http://example.com/a?b=c'])('accepts %j', (url) => {
    expect(isSafeLink(url)).toBe(true);
  });
  it.each([
    'javascript:alert(document.cookie)', 'JavaScript:alert(1)', ' javascript:alert(1)', 'java\tscript:alert(1)', 'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)', '//evil.example/', '/\\evil.example/', '\\\\evil.example', 'https:evil', 'ftp://example.com/', 'mailto:a@b.c',
    'https://', 'list/1.html', '/a b', '/a\u2028b', '/a\u0000b',
  ])('refuses %j', (url) => {
    expect(isSafeLink(url)).toBe(false);
  });
});
