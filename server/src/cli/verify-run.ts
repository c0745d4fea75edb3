/**
 * What `pnpm verify` does, apart from the process it runs in (tests call it directly). It reads only the storage
 * settings (DATA_DIR, REDIS_URL, REDIS_PREFIX): checking a journal needs no secret, and a verify run must never create
 * a data directory or a secret file as a side effect of loading the server's whole configuration.
 */
import { existsSync, readFileSync } from 'node:fs';
import { verifyBoard, type BulletinBoard } from '@hall/core/ballot-crypto';
import path from 'node:path';
import { ConfigError, loadStorageSettings } from '../config.ts';
import { DataDirLockedError } from '../store/embedded.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/types.ts';

/**
 * Exit codes, stable for scripts: every journal holds, one does not, nothing was checked, the data is in use, other.
 * With `--poll`, 3 says the poll is not announced yet: its board carries no shares or counts before then.
 */
export const VERIFY_EXIT = { ok: 0, error: 1, broken: 2, nothingToVerify: 3, notAnnounced: 3, inUse: 4 } as const;

export async function runVerify(env: NodeJS.ProcessEnv, print: (line: string) => void = console.log, printError: (line: string) => void = console.error): Promise<number> {
  let settings: ReturnType<typeof loadStorageSettings>;
  try {
    settings = loadStorageSettings(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    printError(`Cấu hình lưu trữ không hợp lệ / invalid storage settings:\n${err.problems.map((p) => `  - ${p}`).join('\n')}`);
    return VERIFY_EXIT.error;
  }
  const { dataDir, redisUrl, redisPrefix } = settings;
  const where = redisUrl ? `Redis ${redactUrl(redisUrl)} (prefix ${redisPrefix})` : dataDir;

  if (!redisUrl && !existsSync(path.join(dataDir, 'journal'))) {
    printError(
      `Không có gì để kiểm tra: ${dataDir} không phải thư mục dữ liệu của Hall (không có journal/). Hãy đặt DATA_DIR (hoặc REDIS_URL) giống như máy chủ.\n` +
        `Nothing to verify: ${dataDir} is not a Hall data directory (no journal/). Set DATA_DIR (or REDIS_URL) as the server has it.`,
    );
    return VERIFY_EXIT.nothingToVerify;
  }

  let store: Store;
  try {
    store = await openStore({ dataDir, redisUrl, redisPrefix, snapshotEvery: 200 }, { readOnly: true });
  } catch (err) {
    if (err instanceof DataDirLockedError) {
      printError(
        `Thư mục dữ liệu ${dataDir} đang được một tiến trình Hall sử dụng; mỗi thư mục chỉ một tiến trình được mở, để không gì ghi xen vào nhật ký. Hãy dừng máy chủ, hoặc kiểm tra một bản sao (cp -a ${dataDir} /tmp/hall-copy, rồi DATA_DIR=/tmp/hall-copy pnpm verify).\n` +
          `The data directory ${dataDir} is in use by a Hall process; only one process may open it, so that nothing interleaves with the journal's appends. Stop the server, or verify a copy.\n(${err.message})`,
      );
      return VERIFY_EXIT.inUse;
    }
    printError(`Không mở được kho dữ liệu ${where}: ${describe(err)}\nCannot open the store at ${where}: ${describe(err)}`);
    return VERIFY_EXIT.error;
  }

  try {
    const ids = await store.journal.sessionIds();
    if (ids.length === 0) {
      printError(`Không có nhật ký kỳ họp nào trong ${where}. / No session journal in ${where}.`);
      return VERIFY_EXIT.nothingToVerify;
    }
    let bad = 0;
    for (const id of ids) {
      const result = await store.journal.verify(id);
      if (!result.ok) bad++;
      print(`${result.ok ? 'OK ' : 'BAD'} ${id}: ${result.records} records${result.ok ? '' : `, first bad seq ${result.firstBadSeq}`}`);
    }
    print(`${ids.length} journals, ${bad} failed verification (${store.kind} store at ${where})`);
    return bad > 0 ? VERIFY_EXIT.broken : VERIFY_EXIT.ok;
  } catch (err) {
    printError(`Lỗi khi kiểm tra ${where}: ${describe(err)}\nVerification failed at ${where}: ${describe(err)}`);
    return VERIFY_EXIT.error;
  } finally {
    await store.close().catch(() => undefined);
  }
}

const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** A Redis URL may carry a password; it never goes to a terminal or a CI log. */
const redactUrl = (url: string) => url.replace(/\/\/([^@/]*)@/, '//***@');

/**
 * `pnpm verify -- --board <file.json>`: checks a committee poll's bulletin board (docs/committee-ballots.md) from the
 * file alone — every proof, the key, the receipts, the count — with no store and no server involved.
 */
export function runBoardVerify(file: string, print: (line: string) => void = console.log, printError: (line: string) => void = console.error): number {
  let board: BulletinBoard;
  try {
    board = JSON.parse(readFileSync(file, 'utf8')) as BulletinBoard;
  } catch (err) {
    printError(`Không đọc được bảng công khai ${file}: ${describe(err)}\nCannot read the bulletin board ${file}: ${describe(err)}`);
    return VERIFY_EXIT.error;
  }
  return checkBoard(board, print);
}

/**
 * `--poll <sessionId>/<pollId>`: fetches the poll's board from a server's public endpoint (`--server`, default
 * HALL_URL or http://127.0.0.1:8080) and checks it with the same code as a file — core's `verifyBoard`, which shares
 * nothing with the server's path that built the board. A poll not yet announced has nothing to check (exit 3): its
 * board shows the decryption shares and the counts only from the announcement.
 */
export async function runPollVerify(
  poll: string,
  server: string,
  print: (line: string) => void = console.log,
  printError: (line: string) => void = console.error,
  fetchImpl: typeof fetch = fetch,
): Promise<number> {
  const match = /^([A-Za-z0-9_.:-]{1,64})\/([A-Za-z0-9_.:-]{1,64})$/.exec(poll);
  if (!match) {
    printError(`--poll cần dạng <mã kỳ họp>/<mã biểu quyết> / --poll takes <sessionId>/<pollId>: ${poll}`);
    return VERIFY_EXIT.error;
  }
  const url = `${server.replace(/\/+$/, '')}/api/sessions/${encodeURIComponent(match[1]!)}/polls/${encodeURIComponent(match[2]!)}/board`;
  let board: BulletinBoard & { counts: number[][] | null; phase?: string };
  try {
    const res = await fetchImpl(url);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    board = ((await res.json()) as { board: typeof board }).board;
  } catch (err) {
    printError(`Không tải được bảng công khai ${url}: ${describe(err)}\nCannot fetch the bulletin board ${url}: ${describe(err)}`);
    return VERIFY_EXIT.error;
  }
  if (board?.counts === null) {
    printError(
      board.phase === 'cancelled'
        ? `Cuộc bỏ phiếu ${poll} đã bị huỷ, không có kết quả để kiểm tra.\nThe poll ${poll} was cancelled: it has no result to verify.`
        : `Cuộc bỏ phiếu ${poll} chưa được công bố kết quả: bảng công khai chỉ có phần giải mã và số phiếu từ khi chủ tọa công bố. Hãy kiểm tra lại sau khi công bố.\n` +
            `The poll ${poll} is not announced yet: its board shows the decryption shares and counts only from the chair's announcement. Verify again once it is announced.`,
    );
    return VERIFY_EXIT.notAnnounced;
  }
  return checkBoard(board, print);
}

function checkBoard(board: BulletinBoard, print: (line: string) => void): number {
  const check = verifyBoard(board);
  if (!check.ok) {
    for (const problem of check.problems) print(`BAD ${problem}`);
    print(`Bảng công khai KHÔNG hợp lệ / the bulletin board does NOT verify (${check.problems.length} problem(s))`);
    return VERIFY_EXIT.broken;
  }
  print(`OK  ${board.ballots.length} ballots, every proof holds; counts per question: ${JSON.stringify(check.counts)}`);
  return VERIFY_EXIT.ok;
}
