// Passwords must never reach a terminal, a log file, report.json or report.html. Everything
// that prints a connection URL, an error from a connection attempt or a server log line passes
// it through here first. Known secrets (e.g. the password of a url-provider database) are
// registered once and masked wherever they appear, even outside a URL.

const MASK = '****';
const known = new Set<string>();

/** Mask this exact value (and its URL-encoded form) in every later redactSecrets() call. */
export function registerSecret(secret: string | undefined | null): void {
  if (!secret || secret.length < 3) return; // masking "a" everywhere would shred the text
  known.add(secret);
  known.add(encodeURIComponent(secret));
}

// scheme://user:password@host; up to the last @, since people paste passwords with a raw @.
const URL_WITH_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/?#@:'"<>]*:)([^\s'"<>]*)@/gi;
// libpq keyword/value and query forms: password=x, password='x y', sslpassword=x, PGPASSWORD=x.
const PASSWORD_PARAM = /\b((?:ssl)?password|PGPASSWORD)(\s*=\s*)('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^\s&;'"<>]+)/gi;

/** The URL with its password (userinfo or `password=` parameter) replaced by ****. */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = MASK;
    for (const key of [...u.searchParams.keys()]) {
      if (/^(ssl)?password$/i.test(key)) u.searchParams.set(key, MASK);
    }
    return redactKnown(u.toString().replaceAll(encodeURIComponent(MASK), MASK));
  } catch {
    return redactSecrets(url);
  }
}

/** Any text with credentials in URLs, password parameters and registered secrets masked. */
export function redactSecrets(text: string): string {
  const masked = text
    .replace(URL_WITH_CREDENTIALS, (_m, head: string) => `${head}${MASK}@`)
    .replace(PASSWORD_PARAM, (_m, key: string, eq: string) => `${key}${eq}${MASK}`);
  return redactKnown(masked);
}

function redactKnown(text: string): string {
  let out = text;
  // Longest first, so a secret that contains another is masked whole.
  for (const s of [...known].sort((a, b) => b.length - a.length)) out = out.replaceAll(s, MASK);
  return out;
}
