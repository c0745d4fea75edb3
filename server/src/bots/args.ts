/**
 * Command-line arguments, delegate selection and the summary table of `pnpm bots` (see cli.ts). Kept apart from the
 * CLI, which runs on import, so tests can use them.
 */
import { parseArgs } from 'node:util';
import { demoCouncils } from '../seed/demo.ts';
import { VOTE_STRATEGIES, type VoteStrategy } from './bot.ts';
import type { SwarmSummary } from './swarm.ts';

export interface BotCliOptions {
  help: boolean;
  url: string;
  session: string;
  council: string;
  /** How many of the council's delegates (first N, in roll order) the swarm signs in as. */
  delegates: number | null;
  /** Only these delegate ids (empty: no restriction). */
  only: string[];
  /** Never these delegate ids — left for people on real tablets. */
  skip: string[];
  vote: VoteStrategy;
  requestFloor: number;
  polls: number;
  seed: number;
  delayMs: number;
  checkIn: boolean;
  concurrency: number;
  quiet: boolean;
}

export const USAGE = `Bot đại biểu / Bot delegates

  pnpm bots -- --session <id> [options]

  --session <id>          kỳ họp / session id (required), e.g. bn-kh12
  --delegates <n>         số đại biểu / how many delegates (default: every delegate of the council)
  --skip <id,id…>         chừa lại cho người thật / leave these delegates to people, e.g. --skip bn-d001
  --only <id,id…>         chỉ những đại biểu này / only these delegates
  --vote <strategy>       random | yes | no | abstain (default random)
  --url <url>             máy chủ / server (default http://localhost:8080, or HALL_URL)
  --council <id>          HĐND / council of the demo delegates (default bac-ninh)
  --request-floor <n>     số bot đăng ký phát biểu / bots that ask for the floor (default 0)
  --polls <n>             số cuộc biểu quyết rồi dừng / polls to vote in, then exit; 0 = every poll until Ctrl-C (default 0)
  --seed <n>              hạt ngẫu nhiên / random seed (default 1)
  --delay-ms <ms>         trễ tối đa trước khi bỏ phiếu / max random delay before each ballot (default 2000)
  --no-check-in           không tự điểm danh / do not check in
  --concurrency <n>       đăng nhập song song / logins at once (default 8)
  --quiet                 chỉ in tổng kết / print only the summary
  --help                  this text`;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new UsageError(`--${name}: cần một số nguyên / expected a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new UsageError(`--${name}: phải từ ${min} đến ${max} / must be between ${min} and ${max}`);
  return n;
}

/** Parses argv (without node and the script); a leading `--` (from `pnpm bots -- …`) is ignored anywhere. */
export function parseBotArgs(argv: readonly string[], env: Record<string, string | undefined> = {}): BotCliOptions {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv.filter((a) => a !== '--'),
      options: {
        help: { type: 'boolean', short: 'h' },
        url: { type: 'string' },
        session: { type: 'string', short: 's' },
        council: { type: 'string' },
        delegates: { type: 'string', short: 'n' },
        skip: { type: 'string', multiple: true },
        only: { type: 'string', multiple: true },
        vote: { type: 'string' },
        'request-floor': { type: 'string' },
        polls: { type: 'string' },
        seed: { type: 'string' },
        'delay-ms': { type: 'string' },
        'no-check-in': { type: 'boolean' },
        concurrency: { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const str = (k: string) => values[k] as string | undefined;
  const idList = (k: string): string[] => {
    const raw = (values[k] as string[] | undefined) ?? [];
    const ids = raw.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
    const bad = ids.find((id) => !/^[A-Za-z0-9._-]{1,64}$/.test(id));
    if (bad !== undefined) throw new UsageError(`--${k}: mã đại biểu không hợp lệ / not a delegate id: "${bad}"`);
    return [...new Set(ids)];
  };
  const help = values.help === true;
  const session = str('session')?.trim() ?? '';
  if (!help && !session) throw new UsageError('--session: bắt buộc / required (e.g. --session bn-kh12)');
  const vote = (str('vote') ?? 'random') as VoteStrategy;
  if (!VOTE_STRATEGIES.includes(vote)) throw new UsageError(`--vote: một trong / one of ${VOTE_STRATEGIES.join(', ')}; got "${vote}"`);
  const url = (str('url') ?? env.HALL_URL ?? 'http://localhost:8080').replace(/\/+$/, '');
  if (!/^https?:\/\/[^/\s]+/.test(url)) throw new UsageError(`--url: cần http(s)://… / expected http(s)://…, got "${url}"`);
  return {
    help,
    url,
    session,
    council: str('council')?.trim() || 'bac-ninh',
    delegates: str('delegates') === undefined ? null : integer('delegates', str('delegates'), 0, 1, 10_000),
    only: idList('only'),
    skip: idList('skip'),
    vote,
    requestFloor: integer('request-floor', str('request-floor'), 0, 0, 10_000),
    polls: integer('polls', str('polls'), 0, 0, 10_000),
    seed: integer('seed', str('seed'), 1, 0, 2 ** 32 - 1),
    delayMs: integer('delay-ms', str('delay-ms'), 2000, 0, 600_000),
    checkIn: values['no-check-in'] !== true,
    concurrency: integer('concurrency', str('concurrency'), 8, 1, 256),
    quiet: values.quiet === true,
  };
}

/**
 * The demo council's sitting delegates the swarm plays: `only` (when given) minus `skip`, then the first `n` of what
 * is left (all when n is null). An id that is not on the roll is refused: a typo would otherwise leave a person's
 * tablet to a bot.
 */
export function demoDelegateIds(councilId: string, n: number | null, pick: { only?: readonly string[]; skip?: readonly string[] } = {}): string[] {
  const council = demoCouncils().find((c) => c.id === councilId);
  if (!council) {
    const known = demoCouncils().map((c) => c.id).join(', ');
    throw new UsageError(`--council: không có HĐND "${councilId}" trong dữ liệu mẫu / no demo council "${councilId}" (known: ${known})`);
  }
  const roll = council.delegates.filter((d) => d.status === 'sitting').map((d) => d.id);
  for (const [flag, list] of [['only', pick.only ?? []], ['skip', pick.skip ?? []]] as const) {
    const unknown = list.filter((id) => !roll.includes(id));
    if (unknown.length > 0) throw new UsageError(`--${flag}: không có trong ${councilId} / not on the roll of ${councilId}: ${unknown.join(', ')}`);
  }
  const only = new Set(pick.only ?? []);
  const skip = new Set(pick.skip ?? []);
  const ids = roll.filter((id) => (only.size === 0 || only.has(id)) && !skip.has(id));
  if (ids.length === 0) throw new UsageError('--only/--skip: không còn đại biểu nào / no delegate left');
  if (n !== null && n > ids.length) throw new UsageError(`--delegates: chỉ còn ${ids.length} đại biểu / only ${ids.length} delegates left`);
  return n === null ? ids : ids.slice(0, n);
}

export function formatSummary(s: SwarmSummary): string {
  const rows: [string, string][] = [
    ['Đăng nhập / logged in', `${s.loggedIn}/${s.requested}`],
    ['Vào kỳ họp / joined', String(s.joined)],
    ['Thử lại đăng nhập, vào họp / login and join retries', String(s.joinRetries)],
    ['Điểm danh / checked in', String(s.checkedIn)],
    ['Đăng ký phát biểu / floor requests', String(s.floorRequested)],
    ['Phiếu được xác nhận / ballots acked', String(s.ballotsAcked)],
    ['Phiếu lỗi / ballots failed', String(s.ballotsFailed)],
    ['Gửi lại / retries', String(s.retries)],
    ['Kết nối lại / reconnects', String(s.reconnects)],
    ['Độ trễ phiếu p50 / vote latency p50', `${s.voteLatencyMs.p50} ms`],
    ['p95', `${s.voteLatencyMs.p95} ms`],
    ['p99', `${s.voteLatencyMs.p99} ms`],
    ['max', `${s.voteLatencyMs.max} ms`],
  ];
  for (const [pollId, p] of Object.entries(s.polls)) {
    rows.push([`poll ${pollId} (${p.kind}, ${p.mode})`, `acked ${p.acked}, failed ${p.failed}, first→last ack ${p.firstToLastAckMs} ms`]);
    rows.push([`  latency`, `p50 ${p.latencyMs.p50} ms, p95 ${p.latencyMs.p95} ms, p99 ${p.latencyMs.p99} ms, max ${p.latencyMs.max} ms`]);
    if (p.tally.kind === 'motion') rows.push([`  tally`, `yes ${p.tally.yes}, no ${p.tally.no}, abstain ${p.tally.abstain}`]);
  }
  rows.push(['Thời gian / duration', `${(s.durationMs / 1000).toFixed(1)} s`]);
  const width = Math.max(...rows.map((r) => r[0].length));
  const line = '-'.repeat(width + 2 + Math.max(...rows.map((r) => r[1].length)));
  return [line, ...rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`), line].join('\n');
}
