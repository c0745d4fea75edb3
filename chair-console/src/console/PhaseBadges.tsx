/** The phase and the closed-sitting badge: in the header, and again in the pinned toolbar once the header scrolls away. */
import type { SessionView } from '@hall/core';
import { useT } from '../i18n.ts';

export function PhaseBadges({ view }: { view: SessionView }) {
  const { k } = useT();
  return (
    <>
      <span className={`badge badge-phase badge-${view.phase}`}>
        <span aria-hidden="true">● </span>
        {k(`common:phases.${view.phase}`)}
      </span>
      {view.closedSitting && (
        <span className="badge badge-closed">
          <span aria-hidden="true">⊘ </span>
          {k('common:terms.closedSitting')}
        </span>
      )}
    </>
  );
}
