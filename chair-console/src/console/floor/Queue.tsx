/**
 * The requests to speak, in the order the chair will call them. Reordering by mouse (drag, @dnd-kit/core) and by
 * keyboard (Alt+↑/↓ on a focused row) both end in one `floor.reorder` with the whole new order; until the server's
 * next view arrives the console shows the order it sent, so a dragged row does not jump back for a moment.
 */
import { DndContext, PointerSensor, closestCenter, useDraggable, useDroppable, useSensor, useSensors, type DragEndEvent } from '@dnd-kit/core';
import type { QueueEntryView } from '@hall/core';
import { useView } from '@hall/client-kit/react';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useT } from '../../i18n.ts';
import { formatTime } from '../data.ts';
import { CommandButton, PromptCommandButton, useAction } from '../ui/command.tsx';
import { useNotify } from '../ui/notices.tsx';
import { LIMIT_MINUTES } from './limits.ts';

export interface QueueProps {
  grantLimit: number | null;
  onGrantLimit: (sec: number | null) => void;
}

function move<T>(list: T[], from: number, to: number): T[] {
  const next = [...list];
  const [item] = next.splice(from, 1);
  next.splice(to, 0, item!);
  return next;
}

export function Queue({ grantLimit, onGrantLimit }: QueueProps) {
  const view = useView();
  const { t } = useT();
  const notify = useNotify();
  const queue = view?.queue ?? [];
  const ids = queue.map((q) => q.requestId);
  const reorder = useAction('floor.reorder', { requestIds: ids });
  const [sent, setSent] = useState<{ seq: number; order: string[] } | null>(null);
  const [focusId, setFocusId] = useState<string | null>(null);
  const tableRef = useRef<HTMLTableSectionElement>(null);

  // The order just sent, until a newer view answers for it.
  const shown = useMemo(() => {
    if (!sent || !view || view.seq > sent.seq) return queue;
    const byId = new Map(queue.map((q) => [q.requestId, q]));
    const list = sent.order.map((id) => byId.get(id)).filter((q): q is QueueEntryView => !!q);
    return list.length === queue.length ? list : queue;
  }, [sent, view, queue]);

  useEffect(() => {
    if (!focusId) return;
    // Once: the moved row keeps the focus, later view updates must not pull focus back from elsewhere.
    tableRef.current?.querySelector<HTMLElement>(`[data-request-id="${CSS.escape(focusId)}"]`)?.focus();
    setFocusId(null);
  }, [focusId, shown]);

  const sendOrder = (order: string[], moved: QueueEntryView, position: number) => {
    if (!reorder.verdict.ok) {
      notify(t('command.notNow', { message: reorder.verdict.message ?? '' }), 'error');
      return;
    }
    if (!view) return;
    setSent({ seq: view.seq, order });
    reorder.run({ requestIds: order });
    notify(t('floor.moved', { name: moved.name, position }));
  };

  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 4 } }));
  const onDragEnd = (e: DragEndEvent) => {
    const from = shown.findIndex((q) => q.requestId === e.active.id);
    const to = e.over ? shown.findIndex((q) => q.requestId === e.over!.id) : -1;
    if (from < 0 || to < 0 || from === to) return;
    sendOrder(move(shown.map((q) => q.requestId), from, to), shown[from]!, to + 1);
  };

  const onRowKey = (e: KeyboardEvent<HTMLTableRowElement>, index: number) => {
    if (!e.altKey || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown')) return;
    e.preventDefault();
    const to = e.key === 'ArrowUp' ? index - 1 : index + 1;
    if (to < 0 || to >= shown.length) return;
    const entry = shown[index]!;
    setFocusId(entry.requestId);
    sendOrder(move(shown.map((q) => q.requestId), index, to), entry, to + 1);
  };

  if (!view) return null;
  const canDrag = reorder.visible && reorder.verdict.ok;

  return (
    <section className="panel panel-flat" aria-labelledby="queue-title">
      <div className="panel-head">
        <h2 id="queue-title" className="panel-title">
          {t('floor.queue')} <span className="count-pill">{queue.length}</span>
        </h2>
        {reorder.visible && (
          <label className="field field-inline">
            <span className="field-label">{t('floor.limit')}</span>
            <select className="input" value={grantLimit ?? ''} onChange={(e) => onGrantLimit(e.target.value ? Number(e.target.value) : null)}>
              <option value="">{t('floor.limitDefault')}</option>
              {LIMIT_MINUTES.map((m) => (
                <option key={m} value={m * 60}>
                  {t('floor.limitMinutes', { count: m })}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      {reorder.visible && queue.length > 1 && <p className="hint">{t('floor.queueHint')}</p>}
      {queue.length === 0 ? (
        <p className="muted empty">{t('floor.empty')}</p>
      ) : (
        <DndContext sensors={sensors} collisionDetection={closestCenter} onDragEnd={onDragEnd}>
          <table className="table queue">
            <thead>
              <tr>
                <th scope="col" className="col-handle">
                  <span className="hall-sr-only">{t('floor.drag', { name: '' })}</span>
                </th>
                <th scope="col" className="col-n">
                  {t('floor.order')}
                </th>
                <th scope="col">{t('floor.name')}</th>
                <th scope="col">{t('floor.group')}</th>
                <th scope="col">{t('floor.purpose')}</th>
                <th scope="col">{t('floor.at')}</th>
                <th scope="col" className="col-actions">
                  {t('floor.actions')}
                </th>
              </tr>
            </thead>
            <tbody ref={tableRef}>
              {shown.map((q, i) => (
                <QueueRow key={q.requestId} entry={q} index={i} canDrag={canDrag} grantLimit={grantLimit} onKeyDown={(e) => onRowKey(e, i)} />
              ))}
            </tbody>
          </table>
        </DndContext>
      )}
    </section>
  );
}

interface RowProps {
  entry: QueueEntryView;
  index: number;
  canDrag: boolean;
  grantLimit: number | null;
  onKeyDown: (e: KeyboardEvent<HTMLTableRowElement>) => void;
}

function QueueRow({ entry, index, canDrag, grantLimit, onKeyDown }: RowProps) {
  const { t, k } = useT();
  const drag = useDraggable({ id: entry.requestId, disabled: !canDrag });
  const drop = useDroppable({ id: entry.requestId });
  const style = drag.transform ? { transform: `translate3d(0, ${Math.round(drag.transform.y)}px, 0)` } : undefined;
  const setRef = (el: HTMLTableRowElement | null) => {
    drag.setNodeRef(el);
    drop.setNodeRef(el);
  };
  return (
    <tr
      ref={setRef}
      style={style}
      tabIndex={0}
      data-request-id={entry.requestId}
      className={`queue-row${drag.isDragging ? ' is-dragging' : ''}${drop.isOver && !drag.isDragging ? ' is-over' : ''}${index === 0 ? ' is-first' : ''}`}
      onKeyDown={onKeyDown}
      aria-keyshortcuts={canDrag ? 'Alt+ArrowUp Alt+ArrowDown' : undefined}
    >
      <td className="col-handle">
        {canDrag && (
          <button
            type="button"
            className="drag-handle"
            ref={drag.setActivatorNodeRef}
            {...drag.listeners}
            aria-label={t('floor.drag', { name: entry.name })}
            tabIndex={-1}
          >
            ⠿
          </button>
        )}
      </td>
      <td className="col-n">{index + 1}</td>
      <td className="strong">{entry.name}</td>
      <td>{entry.group}</td>
      <td>{k(`common:purposes.${entry.purpose}`)}</td>
      <td>{formatTime(entry.at)}</td>
      <td className="col-actions">
        <CommandButton
          type="floor.grant"
          payload={{ requestId: entry.requestId, speechId: 'speech-check', ...(grantLimit ? { limitSec: grantLimit } : {}) }}
          fresh={['speechId']}
          variant="primary"
          small
          label={t('floor.grantLabel', { name: entry.name })}
          shortcut={index === 0 ? 'g' : undefined}
        >
          {t('floor.grant')}
          {index === 0 && (
            <kbd className="btn-kbd" aria-hidden="true">
              G
            </kbd>
          )}
        </CommandButton>
        <PromptCommandButton
          type="floor.deny"
          payload={{ requestId: entry.requestId }}
          field="reason"
          required={false}
          fieldLabel={t('floor.denyReason')}
          title={t('floor.denyTitle', { name: entry.name })}
          small
          variant="quiet"
          label={t('floor.denyLabel', { name: entry.name })}
          submitLabel={t('floor.deny')}
        >
          {t('floor.deny')}
        </PromptCommandButton>
      </td>
    </tr>
  );
}
