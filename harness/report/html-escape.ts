// Everything that reaches the HTML goes through one of these two functions: report text (SQL,
// queries, error messages, names) is untrusted as far as the page is concerned.

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const escapeHtml = (value: unknown): string => String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c]);

/**
 * JSON for a <script type="application/json"> block. Escaping "<" means no "</script>" or "<!--"
 * can appear, and JSON.parse turns \u003c back into "<". U+2028/9 are escaped for old parsers.
 */
export const jsonForScript = (value: unknown): string =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
