/**
 * The counting committee (Ban kiểm phiếu) of the session, named in every count minutes: kept as a journaled command
 * (`counting.setCommittee`, chair or secretary) like the rest of the session, so the machine checks it (known
 * delegates, no one twice, at most one head) and the record shows who set it and when.
 */
import type { CommitteeRole } from '@hall/core';
import { useView } from '@hall/client-kit/react';
import { useEffect, useState } from 'react';
import { useT } from '../../i18n.ts';
import { DelegatePicker, useRollDelegates } from '../floor/DelegatePicker.tsx';
import { CommandButton } from '../ui/command.tsx';

const ROLES: CommitteeRole[] = ['head', 'secretary', 'member'];

export function CommitteeSection() {
  const view = useView();
  const { t } = useT();
  const current = view?.paperwork?.committee;
  const [members, setMembers] = useState(current ?? []);
  const [adding, setAdding] = useState('');
  const delegates = useRollDelegates();
  const names = new Map(delegates.map((d) => [d.id, d.name]));
  // What the journal holds replaces the local list whenever it changes (another desk saved it, or ours was accepted).
  const stored = JSON.stringify(current ?? []);
  useEffect(() => setMembers(JSON.parse(stored) as typeof members), [stored]);

  return (
    <section className="panel panel-flat" aria-labelledby="records-committee-title">
      <h2 id="records-committee-title" className="panel-title">
        {t('records.committee.title')}
      </h2>
      <p className="hint">{t('records.committee.intro')}</p>
      {members.length === 0 ? (
        <p className="muted">{t('records.committee.empty')}</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('records.committee.member')}</th>
              <th scope="col">{t('records.committee.role')}</th>
              <th scope="col">
                <span className="hall-sr-only">{t('floor.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {members.map((m) => {
              const name = names.get(m.delegateId) ?? m.delegateId;
              return (
                <tr key={m.delegateId}>
                  <td className="strong">{name}</td>
                  <td>
                    <select
                      className="input"
                      aria-label={`${t('records.committee.role')}: ${name}`}
                      value={m.role}
                      onChange={(e) => setMembers((list) => list.map((x) => (x.delegateId === m.delegateId ? { ...x, role: e.target.value as CommitteeRole } : x)))}
                    >
                      {ROLES.map((r) => (
                        <option key={r} value={r}>
                          {t(`records.committee.roles.${r}`)}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <button type="button" className="btn btn-small btn-quiet" onClick={() => setMembers((list) => list.filter((x) => x.delegateId !== m.delegateId))}>
                      {t('records.committee.remove', { name })}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <div className="committee-add">
        <DelegatePicker delegates={delegates.filter((d) => !members.some((m) => m.delegateId === d.id))} value={adding} onChange={setAdding} />
        <button
          type="button"
          className="btn btn-small"
          aria-disabled={!adding || undefined}
          onClick={() => {
            if (!adding) return;
            setMembers((list) => [...list, { delegateId: adding, role: list.some((m) => m.role === 'head') ? 'member' : 'head' }]);
            setAdding('');
          }}
        >
          + {t('records.committee.add')}
        </button>
      </div>
      <div className="form-actions">
        <CommandButton type="counting.setCommittee" payload={{ members }} variant="primary" showReason>
          {t('records.committee.save')}
        </CommandButton>
      </div>
    </section>
  );
}
