/**
 * The session's figures (core `sessionStatistics`, the same the exports and the public record carry) as Chart.js
 * charts: how the time went over the whole session, and who spoke and asked. Each chart has its numbers as a table
 * beside it, for screen readers and for the record.
 */
import { ArcElement, BarElement, CategoryScale, Chart as ChartJS, Legend, LinearScale, Tooltip } from 'chart.js';
import { Bar, Doughnut } from 'react-chartjs-2';
import { timeUseLabel, type SessionStatistics } from '@hall/core';
import { useT } from '../../i18n.ts';

ChartJS.register(ArcElement, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

const COLORS = ['#a50e0e', '#d97706', '#2563eb', '#059669', '#9ca3af'];
const USES = ['presentingSec', 'debatingSec', 'questioningSec', 'votingSec', 'otherSec'] as const;
const USE_NAMES = [timeUseLabel.presenting, timeUseLabel.debating, timeUseLabel.questioning, timeUseLabel.voting, timeUseLabel.other];
const toMinutes = (sec: number) => Math.round(sec / 6) / 10;
const OPTIONS = { responsive: true, maintainAspectRatio: false, animation: false as const, plugins: { legend: { position: 'bottom' as const } } };

export function StatisticsSection({ stats }: { stats: SessionStatistics }) {
  const { t } = useT();
  if (stats.sittings.length === 0) return <p className="muted">{t('records.statistics.empty')}</p>;
  const totals = USES.map((u) => toMinutes(stats.sittings.reduce((sum, s) => sum + s[u], 0)));
  const active = stats.delegates.filter((d) => d.speeches + d.questionsAsked > 0).sort((a, b) => b.speeches + b.questionsAsked - (a.speeches + a.questionsAsked)).slice(0, 12);
  return (
    <section className="panel panel-flat records-stats" aria-labelledby="records-stats-title">
      <h2 id="records-stats-title" className="panel-title">
        {t('records.statistics.title')}
      </h2>
      <figure className="records-figure">
        <figcaption className="strong">{t('records.statistics.timeUse')}</figcaption>
        <div className="records-chart" role="img" aria-label={t('records.statistics.timeUse')}>
          <Doughnut options={OPTIONS} data={{ labels: USE_NAMES, datasets: [{ data: totals, backgroundColor: COLORS }] }} />
        </div>
        <table className="table small">
          <thead>
            <tr>
              <th scope="col">{t('records.statistics.sitting')}</th>
              {USE_NAMES.map((n) => (
                <th key={n} scope="col">
                  {n}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {stats.sittings.map((s) => (
              <tr key={s.number}>
                <th scope="row">{s.title}</th>
                {USES.map((u) => (
                  <td key={u}>{toMinutes(s[u])}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </figure>
      {active.length > 0 && (
        <figure className="records-figure">
          <figcaption className="strong">{t('records.statistics.participation')}</figcaption>
          <div className="records-chart" role="img" aria-label={t('records.statistics.participation')}>
            <Bar
              options={{ ...OPTIONS, indexAxis: 'y' as const }}
              data={{
                labels: active.map((d) => d.name),
                datasets: [
                  { label: t('records.statistics.speeches'), data: active.map((d) => d.speeches), backgroundColor: COLORS[0] },
                  { label: t('records.statistics.questionsAsked'), data: active.map((d) => d.questionsAsked), backgroundColor: COLORS[2] },
                ],
              }}
            />
          </div>
        </figure>
      )}
      {stats.respondents.length > 0 && (
        <table className="table small">
          <caption className="strong">{t('records.statistics.respondents')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('records.register.respondent')}</th>
              <th scope="col">{t('records.statistics.questions')}</th>
              <th scope="col">{t('records.statistics.answered')}</th>
              <th scope="col">{t('records.statistics.commitmentsOpen')}</th>
              <th scope="col">{t('records.statistics.commitmentsOverdue')}</th>
            </tr>
          </thead>
          <tbody>
            {stats.respondents.map((r) => (
              <tr key={r.officialId}>
                <th scope="row">{r.name}</th>
                <td>{r.questions}</td>
                <td>{r.answered}</td>
                <td>{r.commitmentsOpen}</td>
                <td>{r.commitmentsOverdue}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
