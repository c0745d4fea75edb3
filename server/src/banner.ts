/** What `pnpm start` prints once the hall serves: where each app is, the sessions, and the demo logins. */
import type { Config } from './config.ts';
import type { SessionRecord } from './store/types.ts';
import { formatDemoLogins } from './seed/demo.ts';

export function startupBanner(config: Config, storeLabel: string, sessions: SessionRecord[]): string {
  const base = config.publicUrl ?? `http://localhost:${config.port}`;
  const lines = [
    '',
    `Hall (data: ${config.dataDir}, store: ${storeLabel}) is running:`,
    `  Trang chủ / Home ............ ${base}/`,
    `  Chủ tọa / Chair console ..... ${base}/chair/`,
    `  Đại biểu / Delegate client .. ${base}/delegate/`,
    `  Màn hình / Display wall ..... ${base}/wall/`,
    `  Quản trị / Admin, giám sát .. ${base}/admin/`,
    `  Công chúng / Public live .... ${base}/live/`,
    `  API docs .................... ${base}/docs`,
    `  Health ...................... ${base}/healthz`,
    '',
  ];
  if (sessions.length) {
    lines.push('Kỳ họp / Sessions:');
    for (const s of sessions) lines.push(`  ${s.id.padEnd(14)} ${s.status.padEnd(10)} ${s.title}`);
    lines.push('');
  }
  if (config.demo) lines.push('Demo logins (tài khoản thử nghiệm):', formatDemoLogins(), '');
  return lines.join('\n');
}
