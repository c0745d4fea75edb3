/**
 * One session's public record: agenda and public documents, announced results (named lists for public votes),
 * questioning with answers and commitments, approved minutes, statistics, open data, recordings when they exist.
 * The server's public edition never contains a closed part; only its fact and times show here.
 */
import { ResultPanel } from '@hall/client-kit/react';
import { choiceLabel, commitmentStatus, commitmentStatusLabel, pollKindLabel, pollModeLabel, questionStatusLabel, tableNames, vnClock, vnShortDate, vnDuration } from '@hall/core';
import { useEffect, useRef, useState } from 'react';
import { Link } from 'wouter';
import { recordingsOf, type Recording, type SessionPage as Data } from '../api.ts';
import { useStrings } from '../i18n.ts';
import { useData } from '../useData.ts';
import { Loading, PageTools } from './common.tsx';
import { StatisticsCharts } from './Charts.tsx';

/**
 * The archive of the questioning sittings: one player per recording (its parts one after another) with the chapters
 * — agenda items, speakers, questions, votes — as buttons that jump there, and as the video's chapter track.
 */
function Recordings({ sessionId }: { sessionId: string }) {
  const { p } = useStrings();
  const [list, setList] = useState<Recording[]>([]);
  useEffect(() => {
    void recordingsOf(sessionId).then(setList);
  }, [sessionId]);
  if (list.length === 0) return null;
  return (
    <section id="recordings">
      <h2>{p('recordings')}</h2>
      {list.map((r) => (
        <RecordingPlayer key={r.id} recording={r} />
      ))}
    </section>
  );
}

function RecordingPlayer({ recording: r }: { recording: Recording }) {
  const { p } = useStrings();
  const video = useRef<HTMLVideoElement>(null);
  const [part, setPart] = useState(0);
  const pendingSeek = useRef<number | null>(null);
  const current = r.parts[part] ?? r.parts[0]!;
  const seek = (partIndex: number, offsetSec: number) => {
    if (partIndex !== part) {
      pendingSeek.current = offsetSec;
      setPart(partIndex);
      return;
    }
    const v = video.current;
    if (!v) return;
    v.currentTime = offsetSec;
    void v.play().catch(() => undefined);
  };
  return (
    <article className="pr-recording" data-testid="pr-recording">
      <h3>{r.title}</h3>
      <video
        ref={video}
        key={current.url}
        controls
        preload="metadata"
        src={current.url}
        aria-label={p('recordingPlayer', { title: r.title })}
        className="pr-recording-video"
        onLoadedMetadata={(e) => {
          if (pendingSeek.current === null) return;
          e.currentTarget.currentTime = pendingSeek.current;
          pendingSeek.current = null;
          void e.currentTarget.play().catch(() => undefined);
        }}
        // The next part follows the one that ended.
        onEnded={() => part + 1 < r.parts.length && seek(part + 1, 0)}
      >
        <track kind="chapters" src={current.chaptersUrl} srcLang="vi" label={p('recordingChapters')} default />
      </video>
      {r.parts.length > 1 && (
        <p className="pr-recording-parts">
          {r.parts.map((x, i) => (
            <button key={x.url} type="button" aria-pressed={i === part} onClick={() => seek(i, 0)}>
              {p('recordingPart', { n: i + 1, duration: vnDuration(x.durationSec) })}
            </button>
          ))}
        </p>
      )}
      {r.chapters.length > 0 && (
        <nav aria-label={`${p('recordingChapters')} — ${r.title}`}>
          <ol className="pr-chapters">
            {r.chapters.map((c, i) => (
              <li key={i} data-kind={c.kind}>
                <button type="button" onClick={() => seek(c.part, c.partOffsetSec)}>
                  <span className="pr-chapter-time">{clock(c.partOffsetSec)}</span> {c.title}
                </button>
              </li>
            ))}
          </ol>
        </nav>
      )}
    </article>
  );
}

const clock = (sec: number) => {
  const t = Math.floor(sec);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = t % 60;
  return `${h ? `${h}:` : ''}${String(m).padStart(h ? 2 : 1, '0')}:${String(s).padStart(2, '0')}`;
};

export function SessionPage({ id }: { id: string }) {
  const { p } = useStrings();
  const loaded = useData<Data>(`/api/public/sessions/${encodeURIComponent(id)}`);
  return (
    <Loading loaded={loaded}>
      {(data) => {
        const { record: r, session } = data;
        const base = `/api/public/sessions/${encodeURIComponent(session.id)}`;
        const written = r.questions.filter((q) => q.status === 'writtenPending' || q.status === 'writtenAnswered');
        return (
          <article className="pr-session">
            <p className="pr-crumbs">
              <Link href={`/councils/${r.council.id}`}>{r.council.name}</Link>
            </p>
            <h1>{session.title}</h1>
            <p>
              {vnShortDate(session.date)} · <span className={`pr-status pr-status--${session.status}`}>{p(`status.${session.status}`)}</span>
            </p>
            <PageTools />
            <nav className="pr-toc" aria-label={session.title}>
              <a href="#agenda">{p('agenda')}</a> <a href="#polls">{p('polls')}</a> <a href="#questioning">{p('questioning')}</a> <a href="#minutes">{p('minutes')}</a>{' '}
              <a href="#statistics">{p('statistics')}</a> <a href="#open-data">{p('openData')}</a>
            </nav>

            <section id="agenda">
              <h2>{p('agenda')}</h2>
              <ol className="pr-list">
                {r.agenda.map((item) => (
                  <li key={item.id}>
                    {item.title}
                    <ul>
                      {data.documents
                        .filter((d) => d.itemId === item.id)
                        .map((d) => (
                          <li key={d.id}>
                            <a href={d.url}>{d.title}</a>
                          </li>
                        ))}
                    </ul>
                  </li>
                ))}
              </ol>
              {r.sittings.length > 0 && (
                <>
                  <h3>{p('sittings')}</h3>
                  <ul className="pr-list">
                    {r.sittings.map((s) => (
                      <li key={s.number}>
                        <strong>{s.title}</strong>
                        {s.startedAt !== null && ` · ${vnShortDate(s.startedAt)} ${vnClock(s.startedAt)}`} ·{' '}
                        {p('attendance', { present: s.attendance.filter((a) => a.status === 'present' || a.status === 'remote').length, total: r.totalDelegates })}
                        {s.closedParts.map((c, i) => (
                          <p key={i} className="pr-closed">
                            {vnClock(c.from)}
                            {c.to !== null ? ` – ${vnClock(c.to)}` : ''}: {p('closedPart')}
                          </p>
                        ))}
                      </li>
                    ))}
                  </ul>
                </>
              )}
              {data.documents.length === 0 && <p>{p('noDocuments')}</p>}
            </section>

            <section id="polls">
              <h2>{p('polls')}</h2>
              {r.polls.length === 0 && <p>{p('noPolls')}</p>}
              {r.polls.map((poll) => (
                <div key={poll.pollId} className="pr-poll" id={`poll-${poll.pollId}`}>
                  <h3>{poll.subject}</h3>
                  <p className="pr-meta">
                    {pollKindLabel[poll.kind]} · {pollModeLabel[poll.mode]}
                    {poll.closedAt ? ` · ${vnShortDate(poll.closedAt)} ${vnClock(poll.closedAt)}` : ''}
                  </p>
                  {poll.revoteReason && <p>{p('revoteReason', { reason: poll.revoteReason })}</p>}
                  {poll.status === 'cancelled' ? <p>{p('cancelled', { reason: poll.cancelReason ?? '' })}</p> : poll.result ? <ResultPanel result={poll.result} headingLevel={4} /> : <p>{p('notAnnounced')}</p>}
                  {poll.named.length > 0 && (
                    <details>
                      <summary>{p('namedList', { count: poll.named.length })}</summary>
                      <table className="pr-table">
                        <tbody>
                          {poll.named.map((n) => (
                            <tr key={n.delegateId}>
                              <td>{n.name}</td>
                              <td>{n.group}</td>
                              <td>{typeof n.choice === 'string' ? (choiceLabel[n.choice] ?? n.choice) : JSON.stringify(n.choice)}</td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    </details>
                  )}
                </div>
              ))}
            </section>

            <section id="questioning">
              <h2>{p('questioning')}</h2>
              {r.groups.length === 0 && <p>{p('noQuestioning')}</p>}
              {r.groups.map((g) => (
                <div key={g.groupId} className="pr-group">
                  <h3>{g.topic}</h3>
                  <p className="pr-meta">{p('respondents', { names: g.respondents.map((x) => `${x.name} (${x.post})`).join('; ') })}</p>
                  <ul className="pr-list">
                    {r.questions
                      .filter((q) => q.askedAt !== null && (q.groupId === g.groupId || (q.groupId === null && g.respondents.some((x) => x.id === q.respondentId))))
                      .map((q) => (
                        <li key={q.questionId}>
                          <strong>{p('asker', { name: q.asker, respondent: q.respondent })}</strong>: {q.text} <span className="pr-tag">{questionStatusLabel[q.status]}</span>
                        </li>
                      ))}
                  </ul>
                </div>
              ))}
              <h3>{p('commitments')}</h3>
              {r.commitments.length === 0 && <p>{p('noCommitments')}</p>}
              <ul className="pr-list">
                {r.commitments.map((c) => {
                  const status = commitmentStatus(c, data.today);
                  return (
                    <li key={c.commitmentId} className={`pr-commitment pr-commitment--${status}`}>
                      <span className={`pr-badge pr-badge--${status}`}>{commitmentStatusLabel[status]}</span> {c.content} — <strong>{c.respondent}</strong>
                      {c.deadline ? ` · ${p('deadline', { date: vnShortDate(c.deadline) })}` : ''}
                    </li>
                  );
                })}
              </ul>
              {written.length > 0 && (
                <>
                  <h3>{p('writtenAnswers')}</h3>
                  <ul className="pr-list">
                    {written.map((q) => (
                      <li key={q.questionId}>
                        {q.text} — {p('asker', { name: q.asker, respondent: q.respondent })} <span className="pr-tag">{questionStatusLabel[q.status]}</span>
                        {q.writtenDueAt !== null ? ` · ${p('dueDate', { date: vnShortDate(q.writtenDueAt) })}` : ''}
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </section>

            <section id="minutes">
              <h2>{p('minutes')}</h2>
              {data.minutes.length === 0 && <p>{p('noMinutes')}</p>}
              <ul className="pr-list">
                {data.minutes.map((m) => (
                  <li key={m.key}>
                    <strong>{m.title}</strong>: <a href={`${base}/minutes/${m.key}/file?format=pdf`}>PDF</a> · <a href={`${base}/minutes/${m.key}/file?format=docx`}>DOCX</a>
                    <br />
                    <small className="pr-hash">{p('minutesVersion', { version: m.approved.version, date: vnShortDate(m.approved.at), hash: m.approved.publicSha256 })}</small>
                  </li>
                ))}
              </ul>
            </section>

            <section id="statistics">
              <h2>{p('statistics')}</h2>
              <StatisticsCharts stats={data.statistics} />
            </section>

            <Recordings sessionId={session.id} />

            <section id="open-data">
              <h2>{p('openData')}</h2>
              <ul className="pr-list pr-downloads">
                <li>
                  <a href={`${base}/export?format=json`}>{p('openDataJson')}</a>
                </li>
                <li>
                  <a href={`${base}/export?format=xlsx`}>{p('openDataXlsx')}</a>
                </li>
                {tableNames.map((t) => (
                  <li key={t}>
                    <a href={`${base}/export?format=csv&table=${t}`}>{p('openDataCsv', { table: t })}</a>
                  </li>
                ))}
              </ul>
            </section>
          </article>
        );
      }}
    </Loading>
  );
}
