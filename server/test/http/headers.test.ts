/**
 * [HDR] Security headers (issue 10 item 11): the CSP allows no inline or eval'd script and no framing; no referrer
 * leaves the apps; HSTS only when the public URL is https (on a plain-http hall LAN it would lock browsers out).
 * That the built apps run under this CSP without a single violation is shown in Chromium by tests/e2e/security.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { startTestApp } from '../support/app.ts';

const directives = (csp: string) => Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values.join(' ')]));

describe('security headers', () => {
  it('[HDR-1] plain http: a strict CSP, frame-ancestors none, no referrer, no HSTS', async () => {
    const app = await startTestApp();
    try {
      const res = await fetch(`${app.baseUrl}/`);
      const csp = directives(res.headers.get('content-security-policy') ?? '');
      expect(csp['script-src']).toBe("'self'");
      expect(csp['script-src-attr']).toBe("'none'");
      expect(csp['default-src']).toBe("'self'");
      expect(csp['object-src']).toBe("'none'");
      expect(csp['frame-ancestors']).toBe("'none'");
      expect(csp['connect-src']).toBe("'self'");
      expect(csp).not.toHaveProperty('upgrade-insecure-requests');
      expect(JSON.stringify(csp)).not.toMatch(/unsafe-eval|\*/);
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('strict-transport-security')).toBeNull();
      // The API answers carry them too.
      expect((await fetch(`${app.baseUrl}/api/sessions`)).headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    } finally {
      await app.close();
    }
  });

  it('[HDR-2] an https PUBLIC_URL: HSTS, upgrade-insecure-requests, and its wss origin for sockets', async () => {
    const app = await startTestApp({ publicUrl: 'https://hall.bacninh.example' });
    try {
      const res = await fetch(`${app.baseUrl}/`);
      expect(res.headers.get('strict-transport-security')).toMatch(/^max-age=\d{7,}/);
      const csp = directives(res.headers.get('content-security-policy') ?? '');
      expect(csp).toHaveProperty('upgrade-insecure-requests');
      expect(csp['connect-src']).toBe("'self' wss://hall.bacninh.example");
    } finally {
      await app.close();
    }
  });
});
