// The on-demand twin of a public page URL: '/goods/1.html' → '/render-internal/goods/1', '/' →
// '/render-internal/'. Shared by the rebuild job's render thread and the full build's page threads,
// so both render every page through the same route.

/** @param {string} url */
export const twinPath = (url) => (url === '/' ? '/render-internal/' : '/render-internal' + url.replace(/\.html$/, ''));
