import { describe, expect, it } from 'vitest';
import { constantTimeEqual, hashSecret, verifySecretHash } from '../src/index.js';

describe('constant-time secret comparison', () => {
  it('is true only for identical secrets, whatever their lengths', () => {
    expect(constantTimeEqual('secret', 'secret')).toBe(true);
    expect(constantTimeEqual('secret', 'secreT')).toBe(false);
    expect(constantTimeEqual('secre', 'secret')).toBe(false);
    expect(constantTimeEqual('secrets', 'secret')).toBe(false);
    expect(constantTimeEqual('', 'secret')).toBe(false);
    expect(constantTimeEqual('x'.repeat(10_000), 'secret')).toBe(false);
  });

  it('compares UTF-8 octets, so a multi-octet prefix of the right length does not pass', () => {
    expect(constantTimeEqual('päss', 'päss')).toBe(true);
    expect(constantTimeEqual('pä', 'paa')).toBe(false);
    expect(constantTimeEqual('€', '\u00e2\u0082\u00ac')).toBe(false);
  });
});

describe('scrypt secret hashes', () => {
  it('round-trips, with a fresh salt each time', async () => {
    const one = await hashSecret('correct horse', { ln: 10 });
    const two = await hashSecret('correct horse', { ln: 10 });
    expect(one).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(one).not.toBe(two);
    expect(await verifySecretHash(one, 'correct horse')).toBe(true);
    expect(await verifySecretHash(one, 'correct horsE')).toBe(false);
  });

  it('verifies nothing against a malformed or weakened hash string', async () => {
    expect(await verifySecretHash('$scrypt$garbage', 'x')).toBe(false);
    expect(await verifySecretHash('$scrypt$ln=99,r=8,p=1$AAAA$AAAA', 'x')).toBe(false);
    expect(await verifySecretHash('$scrypt$ln=10,r=8,p=1$AAAAAAAA$AAAA', 'x')).toBe(false);
  });
});

describe('registered secrets kept encoded (bench/README.md)', () => {
  it(`keeps at most MAX_ENCODED_SECRETS of them, and one dropped still compares right`, async () => {
    const { checkSecret } = await import('../src/secrets/check.js');
    const { EncodedSecrets, MAX_ENCODED_SECRETS } = await import('../src/secrets/compare.js');
    const encoded = new EncodedSecrets();
    const first = 'first-secret-0';
    expect(checkSecret([{ value: first }], first, 0, encoded, undefined)).toBe('match');
    for (let i = 1; i <= MAX_ENCODED_SECRETS; i++) checkSecret([{ value: `secret-${i}` }], 'x', 0, encoded, undefined);
    expect(encoded.size).toBe(MAX_ENCODED_SECRETS);
    // The first one was dropped as the oldest: encoded again, and still exact.
    expect(checkSecret([{ value: first }], first, 0, encoded, undefined)).toBe('match');
    expect(checkSecret([{ value: first }], `${first}x`, 0, encoded, undefined)).toBe('mismatch');
    expect(checkSecret([{ value: first }], first.slice(0, -1), 0, encoded, undefined)).toBe('mismatch');
    expect(encoded.size).toBe(MAX_ENCODED_SECRETS);
  });
});
