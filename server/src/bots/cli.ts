/**
 * `pnpm bots -- --session bn-kh12 --delegates 85 --vote random` — a swarm of demo delegates against a running server.
 * The delegates are the demo council's first N (codes from the demo seed), so this works against a demo install.
 * Prints a summary table at the end; Ctrl-C stops early and still prints it.
 */
import { demoDelegateCode } from '../seed/demo.ts';
import { ServerUnreachableError, networkCause } from './bot.ts';
import { USAGE, UsageError, demoDelegateIds, formatSummary, parseBotArgs, type BotCliOptions } from './args.ts';
import { runSwarm } from './swarm.ts';

async function reachable(url: string): Promise<void> {
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5000) });
    await res.body?.cancel();
  } catch (err) {
    throw new ServerUnreachableError(url, networkCause(err));
  }
}

async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  let opts: BotCliOptions;
  let delegateIds: string[];
  try {
    opts = parseBotArgs(argv, process.env);
    if (opts.help) {
      console.log(USAGE);
      return 0;
    }
    delegateIds = demoDelegateIds(opts.council, opts.delegates, { only: opts.only, skip: opts.skip });
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`${err.message}\n\n${USAGE}`);
    return 2;
  }

  const controller = new AbortController();
  process.on('SIGINT', onInterrupt(controller));
  try {
    await reachable(opts.url);
    const summary = await runSwarm({
      baseUrl: opts.url,
      sessionId: opts.session,
      delegateIds,
      codeFor: (id) => {
        const code = demoDelegateCode(id);
        if (!code) throw new Error(`no demo code for ${id}`);
        return code;
      },
      vote: opts.vote,
      checkIn: opts.checkIn,
      requestFloor: opts.requestFloor,
      waitForPolls: opts.polls,
      seed: opts.seed,
      delayMs: opts.delayMs,
      loginConcurrency: opts.concurrency,
      signal: controller.signal,
      log: opts.quiet ? () => undefined : (line) => console.log(line),
    });
    console.log(formatSummary(summary));
    if (summary.errors.length > 0 && (opts.quiet || summary.joined === 0)) {
      console.error(`${summary.errors.length} lỗi / errors, e.g.:\n  ${summary.errors.slice(0, 5).join('\n  ')}`);
    }
    if (summary.loggedIn === 0) {
      console.error('Không bot nào đăng nhập được (máy chủ có chạy HALL_DEMO=1 không?) / No bot could sign in (is the server seeded with HALL_DEMO=1?)');
      return 1;
    }
    if (summary.joined === 0) {
      console.error(`Không vào được kỳ họp ${opts.session} / Could not join session ${opts.session}`);
      return 1;
    }
    return summary.ballotsFailed > 0 ? 1 : 0;
  } catch (err) {
    if (err instanceof ServerUnreachableError) {
      console.error(`${err.message}\nHãy khởi động máy chủ (pnpm start) hoặc chỉ định --url. / Start the server (pnpm start) or pass --url.`);
      return 3;
    }
    throw err;
  }
}

/**
 * Ctrl-C: the first stops the swarm, which then prints its summary; a later press quits at once (exit 130).
 *
 * Under `pnpm bots` one press arrives twice: from the terminal to the whole process group, and relayed by pnpm, from
 * milliseconds to seconds later on a busy machine — no clock tells the two apart, so under a package manager (its
 * `run` sets npm_lifecycle_event) the first repeat is taken for the relay. Started by node directly, every repeat is
 * a new press.
 *
 * The handler stays installed until the process exits: with no SIGINT listener Node restores the signal's default
 * action, and a relay arriving then (while the abort was still closing 84 sockets) killed the process by signal before
 * its summary — pnpm reported ELIFECYCLE.
 */
function onInterrupt(controller: AbortController, relayed = Boolean(process.env.npm_lifecycle_event)) {
  let presses = 0;
  return () => {
    presses++;
    if (presses === 1) {
      console.error('\nĐang dừng… / stopping… (Ctrl-C again to quit now)');
      controller.abort();
    } else if (!(presses === 2 && relayed)) {
      process.exit(130);
    }
  };
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error('bots failed:', err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
