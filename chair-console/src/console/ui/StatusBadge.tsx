/**
 * The state of the last command a button sent: sending (and resending), recorded, refused. Recorded fades after a
 * few seconds — the view has changed by then and says the rest.
 */
import type { CommandType } from '@hall/core';
import type { PendingCommand } from '@hall/client-kit';
import { CommandStatusBadge, useCommandStatus } from '@hall/client-kit/react';
import { useEffect, useState } from 'react';

export function StatusBadge<T extends CommandType>({ cmd: typed }: { cmd: PendingCommand<T> | null }) {
  // The badge reads only the id and the status, which do not depend on the command's type.
  const cmd = typed as unknown as PendingCommand | null;
  const status = useCommandStatus(cmd);
  const [hidden, setHidden] = useState(false);
  useEffect(() => {
    setHidden(false);
    if (status?.state !== 'recorded') return;
    const id = setTimeout(() => setHidden(true), 3000);
    return () => clearTimeout(id);
  }, [status?.state, cmd]);
  if (!cmd || !status || hidden) return null;
  return <CommandStatusBadge command={cmd} />;
}
