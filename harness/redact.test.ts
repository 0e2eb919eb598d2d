import { describe, expect, it } from 'vitest';
import { maskUrl, redactSecrets, registerSecret } from './redact.ts';

describe('redact', () => {
  it('should mask the password of a URL and keep everything else', () => {
    expect(maskUrl('postgres://app:s3cr%40t@db.internal:5433/stage?sslmode=require')).toBe(
      'postgres://app:****@db.internal:5433/stage?sslmode=require',
    );
  });

  it('should leave a URL without a password as it is', () => {
    expect(maskUrl('postgres://app@127.0.0.1:5432/x')).toBe('postgres://app@127.0.0.1:5432/x');
  });

  it('should mask a password given as a query parameter', () => {
    expect(maskUrl('postgresql://h/db?user=a&password=hunter22')).toBe('postgresql://h/db?user=a&password=****');
  });

  it('should mask credentials inside free text, including URLs that do not parse', () => {
    const text = 'connect to postgres://u:p@ssw0rd@h:5432/db failed; dsn host=h password=\'a b\' user=u; PGPASSWORD=xyz npm run';
    const out = redactSecrets(text);
    expect(out).not.toMatch(/ssw0rd|'a b'|xyz/);
    expect(out).toContain('password=****');
    expect(out).toContain('PGPASSWORD=****');
  });

  it('should mask a registered secret wherever it appears, also URL-encoded', () => {
    registerSecret('Tr0ub4dor&3');
    expect(redactSecrets('FATAL: role x said Tr0ub4dor&3 and Tr0ub4dor%263')).toBe('FATAL: role x said **** and ****');
    expect(maskUrl('postgres://u@h/db?application_name=Tr0ub4dor%263')).not.toContain('Tr0ub4dor');
  });
});
