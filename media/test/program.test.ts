/**
 * [HUB-11] The program rules (src/program.ts), shared by WeriftHub and MediasoupHub, on their own: fake sources whose
 * "last video packet" time the test sets, a fake clock and fake timers — no media.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProgramSwitcher, programShown, type ProgramSource } from '../src/program.ts';
import { PROGRAM_SWITCH_MAX_WAIT_MS, silentLogger, type HubEvent } from '../src/hub.ts';
import { REMOTE_SPEAKER_SOURCE } from '../src/wire.ts';

class Fake implements ProgramSource {
  readonly kind = 'webrtc' as const;
  lastAt: number | null = null;
  plis = 0;
  constructor(readonly id: string) {}
  lastVideoAt() {
    return this.lastAt;
  }
  pli() {
    this.plis++;
  }
}

let now = 1_000_000;
let events: HubEvent[];
let p: ProgramSwitcher<Fake>;
const sending = (...sources: Fake[]) => sources.forEach((s) => (s.lastAt = now));
/** New sources with these ids, added to the program in this order. */
const added = <Ids extends string[]>(...ids: Ids) =>
  ids.map((id) => {
    const s = new Fake(id);
    p.add(s);
    return s;
  }) as { [K in keyof Ids]: Fake };

beforeEach(() => {
  vi.useFakeTimers();
  events = [];
  p = new ProgramSwitcher<Fake>({ broadcastId: 'b', emit: (e) => events.push(e), log: silentLogger, sendingMs: 1500, now: () => now });
});
afterEach(() => {
  p.close();
  vi.useRealTimers();
});

describe('program rules', () => {
  it('[HUB-11] the first source is the program; later ones are not; the program changes only at the new source keyframe', () => {
    const [a] = added('a');
    expect(p.programId).toBe('a');
    expect(events.filter((e) => e.type === 'ingest')).toHaveLength(1);
    const [b] = added('b');
    expect(p.programId).toBe('a');
    sending(a, b);
    p.choose('b');
    expect(p.programId).toBe('a');
    expect(p.pendingId).toBe('b');
    expect(b.plis).toBeGreaterThan(0);
    p.keyframe(a);
    expect(p.programId).toBe('a');
    p.keyframe(b);
    expect(p.programId).toBe('b');
    expect(p.pendingId).toBeNull();
    expect(() => p.choose('nope')).toThrow(/no source nope/);
  });

  it('[HUB-11] a silent program is left at once; a pending source that sends gets the air at the deadline, a silent one never', () => {
    const [a, b] = added('a', 'b');
    p.choose('b');
    expect(p.programId).toBe('b'); // a sent nothing: nothing worth keeping on screen
    sending(a, b);
    p.choose('a');
    expect(p.pendingId).toBe('a');
    a.lastAt = null;
    vi.advanceTimersByTime(PROGRAM_SWITCH_MAX_WAIT_MS * 3);
    expect(p.programId).toBe('b');
    sending(a);
    vi.advanceTimersByTime(PROGRAM_SWITCH_MAX_WAIT_MS);
    expect(p.programId).toBe('a');
  });

  it('[HUB-11] when the program ends: the chosen source, else the pending one, else the newest still sending; none left ends the ingest', () => {
    const [a, b, c] = added('a', 'b', 'c');
    sending(a, b);
    now += 100;
    c.lastAt = now - 5000; // c stopped sending
    p.remove('a');
    expect(p.programId).toBe('b');
    p.remove('b');
    expect(p.programId).toBe('c');
    p.remove('c');
    expect(p.programId).toBeNull();
    expect(events.at(-2)).toEqual({ type: 'ingestEnded', broadcastId: 'b' });
  });

  it('[HUB-11] a chosen camera that reconnects takes the program back; a replaced source keeps its program status', () => {
    const [, b] = added('a', 'b');
    p.choose('a');
    p.remove('a');
    expect(p.programId).toBe('b');
    const again = new Fake('a');
    sending(b, again);
    p.add(again);
    expect(p.pendingId).toBe('a');
    p.keyframe(again);
    expect(p.programId).toBe('a');
    const replaced = p.add(new Fake('a'));
    expect(replaced).toBe(again);
    expect(p.programId).toBe('a');
  });

  it('[HUB-11] the remote speaker outranks the hall choice; a pin outranks both; auto brings the rules back; the hall feed stays on the hall', () => {
    added('cam-hall', 'rtp-1', REMOTE_SPEAKER_SOURCE); // nothing sends yet: the switch is immediate
    expect(p.programId).toBe(REMOTE_SPEAKER_SOURCE);
    expect(p.showsRemote).toBe(true);
    expect(programShown({ programSourceId: p.programId })).toBe('remote');
    expect(p.hallId).toBe('cam-hall');
    // The remote speaker's own viewer follows the hall; every other viewer the program.
    expect([p.feedId('hall'), p.feedId('program'), p.feedId(undefined)]).toEqual(['cam-hall', REMOTE_SPEAKER_SOURCE, REMOTE_SPEAKER_SOURCE]);
    p.choose('rtp-1'); // the hall's choice waits underneath the remote speaker
    expect(p.programId).toBe(REMOTE_SPEAKER_SOURCE);
    expect(p.hallId).toBe('rtp-1');
    p.pin('cam-hall');
    expect(p.programId).toBe('cam-hall');
    expect(p.hallId).toBe('cam-hall');
    expect(programShown({ programSourceId: p.programId })).toBe('hall');
    expect(programShown(null)).toBe('hall');
    p.pin(null);
    expect(p.programId).toBe(REMOTE_SPEAKER_SOURCE);
    // The floor moves on: the remote source ends and the hall's choice is back at once.
    p.remove(REMOTE_SPEAKER_SOURCE);
    expect(p.programId).toBe('rtp-1');
    expect(() => p.pin('nope')).toThrow(/no source nope/);
    // A pinned source that ends leaves the rules in charge; the pin comes back with it.
    p.pin('cam-hall');
    p.remove('cam-hall');
    expect(p.programId).toBe('rtp-1');
    p.add(new Fake('cam-hall'));
    expect(p.programId).toBe('cam-hall');
  });
});
