/**
 * The shared components render what core computed (never their own arithmetic) in Vietnamese first, with roles and
 * names a screen reader can use, and state never carried by colour alone.
 */
import { confidenceRatingResult, confidenceVoteResult, electionResult, motionResult, type ResultView, type SpeakerView } from '@hall/core';
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionState, HallClient } from '../src/client.ts';
import { HallError } from '../src/errors.ts';
// The framework-free factory: the React one registers a process-wide instance, which would leak between tests.
import { createI18n, LANG_STORAGE_KEY } from '../src/i18n/index.ts';
import {
  CommandStatusBadge,
  ConnectionBanner,
  Countdown,
  HallProvider,
  LanguageSwitch,
  LoginForm,
  QuorumMeter,
  ResultPanel,
  SpeakerCard,
  TallyBars,
  useCan,
  useCommand,
  useView,
} from '../src/react/index.ts';
import { makeClient, until } from './support/fake-hall.ts';
import { announcedMotion, chair, delegate, startedSession } from './support/fixtures.ts';

const clients: HallClient[] = [];
afterEach(() => {
  cleanup();
  for (const c of clients.splice(0)) c.close();
  localStorage.clear();
});

const text = (el: Element) => el.textContent?.replace(/\s+/g, ' ').trim();
/** A row read cell by cell (th/td, or the spans of a list item), as a screen reader would. */
const cells = (el: Element) => [...el.children].map((c) => text(c)).filter(Boolean).join(' ');

describe('[KIT-UI] result panel', () => {
  it('[KIT-UI-1] shows the legal vector of DOMAIN.md §4 from a result the machine computed', () => {
    const { view } = announcedMotion();
    const poll = view.poll!;
    expect(poll.result?.kind).toBe('motion');
    render(<ResultPanel poll={poll} />);
    const panel = screen.getByRole('region', { name: /^Kết quả biểu quyết Nghị quyết về dự toán/ });
    const row = (name: string) => cells(within(panel).getByRole('row', { name: new RegExp(`^${name}`) }));
    expect(row('Tham gia biểu quyết')).toBe('Tham gia biểu quyết 80 (94,12%)');
    expect(row('Tán thành')).toBe('Tán thành 70 (82,35%)');
    expect(row('Không tán thành')).toBe('Không tán thành 6 (7,06%)');
    expect(row('Không biểu quyết')).toBe('Không biểu quyết 4 (4,71%)');
    expect(within(panel).getByText('THÔNG QUA')).toBeTruthy();
    expect(within(panel).queryByText('KHÔNG THÔNG QUA')).toBeNull();
    expect(within(panel).getByText('Tổng số đại biểu: 85')).toBeTruthy();
    expect(within(panel).getByText('Nghị quyết về dự toán ngân sách nhà nước năm 2029')).toBeTruthy();
    expect(within(panel).getByText('Điều kiện thông qua: Quá nửa tổng số đại biểu tán thành')).toBeTruthy();
  });

  it('[KIT-UI-2] 42 of 85 is not more than half: KHÔNG THÔNG QUA, and English on request', () => {
    const result: ResultView = { kind: 'motion', ...motionResult({ yes: 42, no: 30, abstain: 8 }, 85, 'more-than-half') };
    render(<ResultPanel result={result} />);
    expect(screen.getByText('KHÔNG THÔNG QUA')).toBeTruthy();
    expect(screen.getByText('42 (49,41%)')).toBeTruthy();
    cleanup();
    render(
      <HallProvider client={makeClient().client} i18n={createI18n('en')}>
        <ResultPanel result={result} />
      </HallProvider>,
    );
    expect(screen.getByText('NOT ADOPTED')).toBeTruthy();
    expect(screen.getByRole('row', { name: /^Took part/ }).textContent).toContain('80 (94,12%)');
  });

  it('[KIT-UI-3] confidence rating: per official, count and % per level, and the consequence in words', () => {
    // Resolution 96/2023, the 2023 example: 47 ballots, 19 high / 2 confidence / 25 low
    const rated = confidenceRatingResult({ issued: 47, collected: 47, valid: 46, high: 19, confidence: 2, low: 25 }, 'total-ballots', 50);
    const result: ResultView = { kind: 'confidenceRating', officials: [{ officialId: 'o1', name: 'Trần Thị Bình', post: 'Chủ tịch UBND', ...rated }] };
    render(<ResultPanel result={result} />);
    const row = screen.getByRole('row', { name: /Trần Thị Bình/ });
    expect(cells(row)).toBe('Trần Thị Bình Chủ tịch UBND 46 19 (40,43%) 2 (4,26%) 25 (53,19%) Có thể xin từ chức, nếu không sẽ bị bỏ phiếu tín nhiệm');
    expect(screen.getByRole('columnheader', { name: 'Tín nhiệm thấp' })).toBeTruthy();
    expect(screen.getByText('Phiếu phát ra')).toBeTruthy();
    expect(screen.getByText('Phiếu thu về')).toBeTruthy();
  });

  it('[KIT-UI-4] vote of confidence and election variants', () => {
    const voted = confidenceVoteResult({ issued: 85, collected: 85, valid: 84, confidence: 40, noConfidence: 44 }, 85);
    render(<ResultPanel result={{ kind: 'confidenceVote', officials: [{ officialId: 'o1', name: 'Trần Thị Bình', post: 'Chủ tịch UBND', ...voted }] }} />);
    expect(cells(screen.getByRole('row', { name: /Trần Thị Bình/ }))).toBe('Trần Thị Bình Chủ tịch UBND 84 40 (47,06%) 44 (51,76%) Đề nghị miễn nhiệm');
    cleanup();
    const elected = electionResult({ candidates: [{ id: 'c1', votes: 50 }, { id: 'c2', votes: 30 }], seats: 1, validBallots: 84 }, 85);
    render(<ResultPanel result={{ kind: 'election', names: { c1: 'Lê Văn Cường', c2: 'Phạm Thị Dung' }, ...elected }} />);
    expect(cells(screen.getByRole('row', { name: /Lê Văn Cường/ }))).toBe('Lê Văn Cường 50 58,82% ✓ Trúng cử');
    expect(cells(screen.getByRole('row', { name: /Phạm Thị Dung/ }))).toBe('Phạm Thị Dung 30 35,29% Không trúng cử');
  });

  it('[KIT-UI-5] tally bars use core’s lines and label every bar in words', () => {
    const { view } = announcedMotion();
    const { container } = render(<TallyBars result={view.poll!.result} />);
    const rows = [...container.querySelectorAll('li')].map((li) => cells(li));
    expect(rows).toEqual(['Tán thành 70 (82,35%)', 'Không tán thành 6 (7,06%)', 'Không biểu quyết 4 (4,71%)']);
    expect((container.querySelector('.hall-tally__row--yes .hall-tally__bar') as HTMLElement).style.width).toMatch(/^82\.35/);
  });
});

describe('[KIT-UI] live components', () => {
  it('[KIT-UI-6] the countdown reads mm:ss, then turns to overtime with "+mm:ss" and says so', () => {
    const end = 1_800_000_000_000;
    const { rerender } = render(<Countdown endsAt={end} now={end - 252_000} />);
    const timer = screen.getByRole('timer');
    expect(timer.getAttribute('aria-live')).toBe('off');
    expect(timer.getAttribute('aria-label')).toBe('Thời gian còn lại 04:12');
    expect(timer.textContent).toContain('04:12');
    expect(timer.className).not.toContain('overtime');
    rerender(<Countdown endsAt={end} now={end + 31_000} />);
    expect(timer.getAttribute('aria-label')).toBe('Hết thời gian, quá giờ +00:31');
    expect(timer.textContent).toBe('Hết thời gian+00:31');
    expect(timer.className).toContain('hall-countdown--overtime');
    // the server's overtime flag wins over a device clock that lags behind
    rerender(<Countdown endsAt={end} now={end - 500} overtime />);
    expect(timer.getAttribute('aria-label')).toBe('Hết thời gian, quá giờ +00:00');
  });

  it('[KIT-UI-7] the speaker card names the speaker, their group, purpose and time', () => {
    const speaker: SpeakerView = {
      speechId: 's1', kind: 'delegate', id: 'd3', name: 'Nguyễn Văn An', role: 'Tổ đại biểu số 3', purpose: 'debate',
      startedAt: 0, limitSec: 180, extendedSec: 0, endsAt: 180_000, overtime: false, questionId: null, askedOf: null, endedAt: null,
    };
    render(<SpeakerCard speaker={speaker} now={60_000} />);
    const card = screen.getByRole('region', { name: 'Nguyễn Văn An' });
    expect(within(card).getByText('Đang phát biểu')).toBeTruthy();
    expect(within(card).getByText('Tổ đại biểu số 3')).toBeTruthy();
    expect(within(card).getByText('Tranh luận')).toBeTruthy();
    expect(within(card).getByRole('timer').getAttribute('aria-label')).toBe('Thời gian còn lại 02:00');
    cleanup();
    render(<SpeakerCard speaker={null} />);
    expect(screen.getByText('Chưa có người phát biểu')).toBeTruthy();
  });

  it('[KIT-UI-8] the quorum meter states present/total, the requirement and the verdict in words', () => {
    const s = startedSession(85, 60);
    render(<QuorumMeter attendance={s.view('chair').attendance} />);
    const region = screen.getByRole('region', { name: 'Số đại biểu có mặt' });
    expect(within(region).getByText('Có mặt 60/85 đại biểu (70,59%)')).toBeTruthy();
    expect(within(region).getByText('Cần ít nhất 57 đại biểu')).toBeTruthy();
    expect(text(within(region).getByText(/theo quy định/))).toBe('✓ Đủ số đại biểu theo quy định');
    expect(within(region).getByRole('meter', { name: '60 trên 85 đại biểu có mặt, cần 57' })).toBeTruthy();
  });

  it('[KIT-UI-9] the connection banner speaks Vietnamese for every state but connected', () => {
    const expected: Record<ConnectionState, string | null> = {
      connected: null,
      connecting: 'Đang kết nối…',
      reconnecting: 'Mất kết nối — đang kết nối lại…',
      offline: 'Không có mạng — các thao tác sẽ được gửi khi có kết nối',
      unauthorized: 'Phiên đăng nhập không hợp lệ hoặc đã hết hạn — vui lòng đăng nhập lại',
    };
    for (const [state, words] of Object.entries(expected) as [ConnectionState, string | null][]) {
      const { container } = render(<ConnectionBanner state={state} />);
      if (words === null) expect(container.textContent).toBe('');
      else {
        const role = state === 'offline' || state === 'unauthorized' ? 'alert' : 'status';
        expect(screen.getByRole(role).textContent).toContain(words);
      }
      cleanup();
    }
    const onLogin = vi.fn();
    render(<ConnectionBanner state="unauthorized" onLogin={onLogin} />);
    fireEvent.click(screen.getByRole('button', { name: 'Đăng nhập lại' }));
    expect(onLogin).toHaveBeenCalledOnce();
  });

  it('[KIT-UI-10] the banner follows the client: reconnecting after a drop, gone once connected', async () => {
    const { client, socket } = makeClient();
    clients.push(client);
    render(
      <HallProvider client={client}>
        <ConnectionBanner />
      </HallProvider>,
    );
    expect(screen.queryByRole('status')).toBeNull(); // offline before connect() is not shown as an alert…
    act(() => client.connect());
    await act(() => until(() => client.connection === 'connected'));
    expect(screen.queryByRole('status')).toBeNull();
    act(() => socket().drop());
    expect(screen.getByRole('status').textContent).toContain('Mất kết nối — đang kết nối lại…');
    act(() => socket().accept());
    expect(screen.queryByRole('status')).toBeNull();
  });

  it('[KIT-UI-11] the command badge: sending, not recorded yet while offline, recorded, refused with the reason', () => {
    render(<CommandStatusBadge status={{ state: 'sending' }} connection="connected" />);
    expect(screen.getByRole('status').textContent).toBe('…Đang gửi…');
    cleanup();
    render(<CommandStatusBadge status={{ state: 'sending' }} connection="reconnecting" />);
    expect(screen.getByRole('status').textContent).toContain('Chưa ghi nhận — đang gửi lại');
    cleanup();
    render(<CommandStatusBadge status={{ state: 'recorded', seq: 12 }} />);
    expect(screen.getByRole('status').textContent).toBe('✓Đã ghi nhận');
    cleanup();
    render(<CommandStatusBadge status={{ state: 'refused', code: 'REJECTED', reason: 'NOT_PRESENT', message: 'Đại biểu chưa điểm danh có mặt' }} />);
    expect(screen.getByRole('status').textContent).toContain('Đại biểu chưa điểm danh có mặt');
    expect(screen.getByRole('status').getAttribute('data-state')).toBe('refused');
  });

  it('[KIT-UI-12] the language switch changes the words and remembers the choice', () => {
    const i18n = createI18n('vi');
    const { client } = makeClient();
    render(
      <HallProvider client={client} i18n={i18n}>
        <LanguageSwitch />
        <ConnectionBanner state="reconnecting" />
      </HallProvider>,
    );
    const group = screen.getByRole('group', { name: 'Ngôn ngữ' });
    expect(within(group).getByRole('button', { name: 'Tiếng Việt' }).getAttribute('aria-pressed')).toBe('true');
    fireEvent.click(within(group).getByRole('button', { name: 'English' }));
    expect(screen.getByRole('status').textContent).toContain('Connection lost — reconnecting…');
    expect(screen.getByRole('group', { name: 'Language' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'English' }).getAttribute('aria-pressed')).toBe('true');
    expect(localStorage.getItem(LANG_STORAGE_KEY)).toBe('en');
    expect(document.documentElement.lang).toBe('en');
  });
});

describe('[KIT-UI] login form', () => {
  it('[KIT-UI-13] labels in Vietnamese, the failure message per kind, and the throttle counted down', async () => {
    const login = vi
      .fn()
      .mockRejectedValueOnce(new HallError('AUTH_FAILED', 'Sai mã đại biểu hoặc mã cá nhân', 401))
      .mockRejectedValueOnce(new HallError('THROTTLED', 'Đăng nhập sai quá nhiều lần, thử lại sau 30 giây', 429, 30))
      .mockResolvedValueOnce({ token: 't.s', claims: { sub: 'bn-d001', role: 'delegate', councilIds: [], name: 'A', exp: 1 } });
    const onLoggedIn = vi.fn();
    render(<LoginForm kind="code" baseUrl="http://h" login={login} onLoggedIn={onLoggedIn} />);
    expect(screen.getByRole('form', { name: 'Đăng nhập' })).toBeTruthy();
    const id = screen.getByLabelText('Mã đại biểu');
    const secret = screen.getByLabelText('Mã cá nhân');
    const submit = screen.getByRole('button', { name: 'Đăng nhập' });

    fireEvent.click(submit);
    expect(screen.getByRole('alert').textContent).toBe('Vui lòng nhập đủ thông tin');
    expect(login).not.toHaveBeenCalled();

    fireEvent.change(id, { target: { value: ' bn-d001 ' } });
    fireEvent.change(secret, { target: { value: '999999' } });
    await act(async () => fireEvent.click(submit));
    expect(login).toHaveBeenLastCalledWith('http://h', 'code', 'bn-d001', '999999');
    expect(screen.getByRole('alert').textContent).toBe('Sai mã đại biểu hoặc mã cá nhân');
    expect(secret.getAttribute('aria-invalid')).toBe('true');

    await act(async () => fireEvent.click(submit));
    expect(screen.getByRole('alert').textContent).toBe('Đăng nhập sai quá nhiều lần, thử lại sau 30 giây');
    expect((screen.getByRole('button', { name: 'Đăng nhập' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('[KIT-UI-14] a successful login hands over the token and claims', async () => {
    const result = { token: 't.s', claims: { sub: 'chutoa.bn', role: 'chair' as const, councilIds: ['bn'], name: 'Chủ tọa', exp: 1 } };
    const onLoggedIn = vi.fn();
    render(<LoginForm kind="password" baseUrl="http://h" login={async () => result} onLoggedIn={onLoggedIn} />);
    expect(screen.getByLabelText('Tên đăng nhập').getAttribute('autocomplete')).toBe('username');
    expect(screen.getByLabelText('Mật khẩu').getAttribute('type')).toBe('password');
    fireEvent.change(screen.getByLabelText('Tên đăng nhập'), { target: { value: 'chutoa.bn' } });
    fireEvent.change(screen.getByLabelText('Mật khẩu'), { target: { value: 'demo123' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Đăng nhập' })));
    expect(onLoggedIn).toHaveBeenCalledWith(result);
  });
});

describe('[KIT-UI] hooks', () => {
  function VoteButton() {
    const view = useView();
    const verdict = useCan('ballot.cast', { pollId: 'p1', choice: 'yes' });
    const { send, pending } = useCommand();
    return (
      <div>
        <p>seq {view?.seq ?? '-'}</p>
        <button type="button" disabled={!verdict.ok} onClick={() => send('ballot.cast', { pollId: 'p1', choice: 'yes' })}>
          Tán thành
        </button>
        {verdict.ok ? null : <p role="note">{verdict.message}</p>}
        <p>pending {pending.length}</p>
      </div>
    );
  }

  it('[KIT-UI-15] a button enables itself from the same rules as the server, per view seq', async () => {
    const s = startedSession(15, 10);
    s.must(chair, 'poll.open', { pollId: 'p1', subject: 'Nghị quyết thử', kind: 'motion', mode: 'electronic' });
    const { client, hall, socket } = makeClient({ token: tokenFor('d12') });
    clients.push(client);
    hall.current = s.view('delegate', 'd12');
    client.connect();
    await client.join(hall.current.sessionId);
    render(
      <HallProvider client={client}>
        <VoteButton />
      </HallProvider>,
    );
    const button = screen.getByRole('button', { name: 'Tán thành' }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    expect(screen.getByRole('note').textContent).toBe('Đại biểu chưa điểm danh có mặt');

    s.must(delegate(12), 'attendance.checkIn', { delegateId: 'd12', channel: 'hall' });
    act(() => socket().push('session:view', s.view('delegate', 'd12')));
    expect(screen.getByText(`seq ${s.seq}`)).toBeTruthy();
    expect(button.disabled).toBe(false);
    expect(screen.queryByRole('note')).toBeNull();

    socket().drop();
    act(() => fireEvent.click(button));
    expect(screen.getByText('pending 1')).toBeTruthy();
    act(() => socket().accept());
    await act(() => until(() => client.pending().length === 0));
    expect(screen.getByText('pending 0')).toBeTruthy();
  });
});

function tokenFor(delegateId: string) {
  const json = JSON.stringify({ sub: `acc-${delegateId}`, role: 'delegate', delegateId, councilIds: [], name: 'Đại biểu', exp: 4_000_000_000 });
  return `${btoa(String.fromCharCode(...new TextEncoder().encode(json))).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')}.sig`;
}
