import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hashSecret, isSecretHash, verifySecret } from '../../src/auth/secrets.ts';

describe('auth/secrets', () => {
  it('[SEC-1] hashes to scrypt$16384$8$1$salt$key with a 16-byte salt and 32-byte key', async () => {
    const stored = await hashSecret('mật khẩu');
    const [alg, n, r, p, salt, key] = stored.split('$');
    expect([alg, n, r, p]).toEqual(['scrypt', '16384', '8', '1']);
    expect(Buffer.from(salt!, 'base64')).toHaveLength(16);
    expect(Buffer.from(key!, 'base64')).toHaveLength(32);
    expect(isSecretHash(stored)).toBe(true);
  });

  it('[SEC-2] verifies the right secret and rejects others', async () => {
    const stored = await hashSecret('demo123');
    expect(await verifySecret('demo123', stored)).toBe(true);
    expect(await verifySecret('demo124', stored)).toBe(false);
    expect(await verifySecret('', stored)).toBe(false);
    expect(await verifySecret('demo123 ', stored)).toBe(false);
  });

  it('[SEC-3] salts every hash', async () => {
    const [a, b] = await Promise.all([hashSecret('same'), hashSecret('same')]);
    expect(a).not.toBe(b);
    expect(await verifySecret('same', a)).toBe(true);
    expect(await verifySecret('same', b)).toBe(true);
  });

  it('[SEC-4] treats composed and decomposed Vietnamese as the same secret', async () => {
    const stored = await hashSecret('Hà Nội'.normalize('NFD'));
    expect(await verifySecret('Hà Nội'.normalize('NFC'), stored)).toBe(true);
  });

  it('[SEC-5] returns false, never throws, on malformed stored strings', async () => {
    const good = await hashSecret('x');
    const parts = good.split('$');
    const bad = [
      '',
      'scrypt',
      'plain-text-password',
      'bcrypt$16384$8$1$AAAA$BBBB',
      parts.slice(0, 5).join('$'),
      [...parts, 'extra'].join('$'),
      good.replace('$16384$', '$16383$'), // not a power of two
      good.replace('$16384$', '$1073741824$'), // absurd cost
      good.replace('$16384$', '$0$'),
      good.replace('$8$', '$-8$'),
      good.replace('$8$1$', '$8$99$'),
      `scrypt$16384$8$1$!!!$${parts[5]}`,
      `scrypt$16384$8$1$${parts[4]}$`,
      `scrypt$16384$8$1$${parts[4]}$AAAA`, // key too short
      null as unknown as string,
      42 as unknown as string,
      'a'.repeat(10_000),
    ];
    for (const stored of bad) {
      await expect(verifySecret('x', stored)).resolves.toBe(false);
      expect(isSecretHash(stored)).toBe(false);
    }
    await expect(verifySecret(undefined as unknown as string, good)).resolves.toBe(false);
    await expect(verifySecret('x'.repeat(5000), good)).resolves.toBe(false);
  });

  it('[SEC-6] never throws on arbitrary stored strings (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), fc.string({ maxLength: 20 }), async (stored, secret) => {
        expect(await verifySecret(secret, stored)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
