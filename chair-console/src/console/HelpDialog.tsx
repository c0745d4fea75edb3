import { useT, type Key } from '../i18n.ts';
import { Dialog } from './ui/Dialog.tsx';

const KEYS: [string, Key][] = [
  ['1 – 5', 'help.tabs'],
  ['G', 'help.grant'],
  ['S', 'help.stop'],
  ['+', 'help.extend'],
  ['O', 'help.open'],
  ['C', 'help.commitment'],
  ['Alt + ↑ / ↓', 'help.reorder'],
  ['/', 'help.search'],
  ['?', 'help.help'],
  ['Enter / Esc', 'help.dialog'],
];

export function HelpDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useT();
  return (
    <Dialog open={open} title={t('help.title')} onClose={onClose}>
      <p className="hint">{t('help.intro')}</p>
      <table className="table help-table">
        <thead>
          <tr>
            <th scope="col">{t('help.key')}</th>
            <th scope="col">{t('help.action')}</th>
          </tr>
        </thead>
        <tbody>
          {KEYS.map(([key, text]) => (
            <tr key={key}>
              <td>
                <kbd>{key}</kbd>
              </td>
              <td>{t(text)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
