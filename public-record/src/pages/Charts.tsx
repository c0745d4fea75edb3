/**
 * The statistics as charts (Chart.js through react-chartjs-2): time use per sitting, participation per delegate,
 * respondents' questions and commitments. The figures are the record's own (core `sessionStatistics`), the same ones
 * the exports carry; each chart also has its numbers as a table for screen readers and print.
 */
import { BarElement, CategoryScale, Chart as ChartJS, Legend, LinearScale, Tooltip } from 'chart.js';
import { Bar } from 'react-chartjs-2';
import { timeUseLabel, type SessionStatistics } from '@hall/core';
import { useStrings } from '../i18n.ts';

ChartJS.register(CategoryScale, LinearScale, BarElement, Tooltip, Legend);

const COLORS = ['#a50e0e', '#d97706', '#2563eb', '#059669', '#9ca3af'];
const minutes = (sec: number) => Math.round(sec / 6) / 10;

function Figure({ title, children, table }: { title: string; children: React.ReactNode; table: { head: string[]; rows: (string | number)[][] } }) {
  return (
    <figure className="pr-figure">
      <figcaption>{title}</figcaption>
      <div className="pr-chart">{children}</div>
      <table className="pr-table pr-figure-data">
        <thead>
          <tr>
            {table.head.map((h) => (
              <th key={h}>{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((r, i) => (
            <tr key={i}>
              {r.map((c, j) => (
                <td key={j}>{c}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

export function StatisticsCharts({ stats }: { stats: SessionStatistics }) {
  const { p } = useStrings();
  const uses = ['presentingSec', 'debatingSec', 'questioningSec', 'votingSec', 'otherSec'] as const;
  const useNames = [timeUseLabel.presenting, timeUseLabel.debating, timeUseLabel.questioning, timeUseLabel.voting, timeUseLabel.other];
  const options = { responsive: true, maintainAspectRatio: false, animation: false as const, plugins: { legend: { position: 'bottom' as const } } };
  const top = [...stats.delegates].sort((a, b) => b.speeches + b.questionsAsked - (a.speeches + a.questionsAsked)).slice(0, 10);
  return (
    <div className="pr-charts">
      <Figure title={p('timeUse')} table={{ head: ['', ...useNames], rows: stats.sittings.map((s) => [s.title, ...uses.map((u) => minutes(s[u]))]) }}>
        <Bar
          options={{ ...options, scales: { x: { stacked: true }, y: { stacked: true } } }}
          data={{ labels: stats.sittings.map((s) => s.title), datasets: uses.map((u, i) => ({ label: useNames[i]!, data: stats.sittings.map((s) => minutes(s[u])), backgroundColor: COLORS[i] })) }}
        />
      </Figure>
      <Figure title={p('speechesChart')} table={{ head: ['', p('speeches'), p('questionsAsked')], rows: top.map((d) => [d.name, d.speeches, d.questionsAsked]) }}>
        <Bar
          options={{ ...options, indexAxis: 'y' as const }}
          data={{
            labels: top.map((d) => d.name),
            datasets: [
              { label: p('speeches'), data: top.map((d) => d.speeches), backgroundColor: COLORS[0] },
              { label: p('questionsAsked'), data: top.map((d) => d.questionsAsked), backgroundColor: COLORS[2] },
            ],
          }}
        />
      </Figure>
      {stats.respondents.length > 0 && (
        <Figure
          title={p('respondentsChart')}
          table={{ head: ['', p('questions'), p('answered'), p('commitmentsOpen'), p('commitmentsOverdue')], rows: stats.respondents.map((r) => [r.name, r.questions, r.answered, r.commitmentsOpen, r.commitmentsOverdue]) }}
        >
          <Bar
            options={options}
            data={{
              labels: stats.respondents.map((r) => r.name),
              datasets: [
                { label: p('questions'), data: stats.respondents.map((r) => r.questions), backgroundColor: COLORS[2] },
                { label: p('answered'), data: stats.respondents.map((r) => r.answered), backgroundColor: COLORS[3] },
                { label: p('commitmentsOpen'), data: stats.respondents.map((r) => r.commitmentsOpen), backgroundColor: COLORS[1] },
                { label: p('commitmentsOverdue'), data: stats.respondents.map((r) => r.commitmentsOverdue), backgroundColor: COLORS[0] },
              ],
            }}
          />
        </Figure>
      )}
    </div>
  );
}
